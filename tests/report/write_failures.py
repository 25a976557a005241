#!/usr/bin/env python3
"""A report that cannot be written is an internal failure (exit 3) with one
line on stderr, in every format: a full disk (/dev/full), a closed stdout,
a pipe whose reader is gone (EPIPE). Intune must never read a lost result
as "no issue"."""
import os
import subprocess

from common import FIXTURES, MDEDIAG, check, finish

FORMATS = ("text", "json", "html", "intune")


def one_line_error(label, p):
    err = p.stderr.decode(errors="replace")
    check(p.returncode == 3, "%s: exit %d, want 3 (stderr %r)" % (label, p.returncode, err))
    check(err.count("\n") == 1 and err.startswith("mdediag: writing the report failed"),
          "%s: stderr is not one line: %r" % (label, err))
    return 2


def main():
    checked = 0
    # an error fixture (exit 1 when written) and a clean one (exit 0)
    for fx in ("sense-stopped-event15.json", "healthy-win11.json"):
        base = [MDEDIAG, "--fixture", os.path.join(FIXTURES, fx), "--no-network"]
        for fmt in FORMATS:
            args = base + ["--format", fmt]
            with open("/dev/full", "wb") as full:
                p = subprocess.run(args, stdout=full, stderr=subprocess.PIPE, timeout=60)
            checked += one_line_error("%s %s > /dev/full" % (fx, fmt), p)
            p = subprocess.run(args + ["--output", "/dev/full"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, timeout=60)
            checked += one_line_error("%s %s --output /dev/full" % (fx, fmt), p)
            p = subprocess.run(["sh", "-c", 'exec "$@" >&-', "sh"] + args,
                               stderr=subprocess.PIPE, timeout=60)
            checked += one_line_error("%s %s with stdout closed" % (fx, fmt), p)
            r, w = os.pipe()
            os.close(r)  # the reader is gone before anything is written
            p = subprocess.run(args, stdout=w, stderr=subprocess.PIPE, timeout=60)
            os.close(w)
            checked += one_line_error("%s %s into a broken pipe" % (fx, fmt), p)
    finish(checked)


if __name__ == "__main__":
    main()
