#!/usr/bin/env python3
"""console.py - mdediag.exe's output on a Windows console and through a pipe
(issue 14 point 3, issue 16), under Wine.

  console.py --build-win DIR --native MDEDIAG FIXTURE

- Through a pipe: the UTF-8 bytes of the report, the same as the native
  build's (line ends aside: the C runtime's text mode writes CRLF), no
  escape code.
- On a console (Wine gives a process started on a Unix terminal a console
  backed by it, and shows what WriteConsoleW wrote in the terminal's
  UTF-8): the Japanese report reads as Japanese. Written as UTF-8 bytes
  through the C runtime, as before this test, it came out as mojibake.
- Escape codes on the console only once virtual terminal processing is on
  (Wine's console accepts ENABLE_VIRTUAL_TERMINAL_PROCESSING), so colour
  shows; never the classic console's visible "<-[" (issue 16).

Exit: 0 pass, 1 fail, 77 skipped (no Wine or no cross build).
"""
import argparse
import os
import pty
import re
import select
import shutil
import subprocess
import sys


def on_pty(args, env, timeout=60):
    master, slave = pty.openpty()
    p = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, env=env)
    os.close(slave)
    out = b""
    while True:
        r, _, _ = select.select([master], [], [], timeout)
        if not r:
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    p.wait(timeout=timeout)
    os.close(master)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-win", required=True)
    ap.add_argument("--native", required=True)
    ap.add_argument("fixture")
    a = ap.parse_args()
    exe = os.path.join(a.build_win, "diag", "mdediag.exe")
    if not shutil.which("wine") or not os.path.exists(exe) or not os.path.exists(a.native):
        print("skipped: no wine, mdediag.exe or native mdediag")
        return 77
    env = dict(os.environ)
    env.update({"WINEPREFIX": os.path.abspath(os.path.join(a.build_win, "wine", "prefix")), "WINEDEBUG": "-all",
                "LANG": "C.UTF-8", "TERM": "xterm"})
    env.pop("DISPLAY", None)
    env.pop("NO_COLOR", None)
    args = ["--fixture", a.fixture, "--no-network", "--lang", "ja"]
    failures = []

    def check(cond, msg):
        print(("ok - " if cond else "not ok - ") + msg)
        if not cond:
            failures.append(msg)

    # Wine's background processes inherit stdio: start them first,
    # detached, so a pipe's reader is not held open (notes/toolchain.md)
    quiet = dict(stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run(["wineserver", "-p", "60"], env=env, **quiet)
    subprocess.run(["wine", "cmd", "/c", "exit"], env=env, timeout=120, **quiet)
    native = subprocess.run([a.native] + args, stdout=subprocess.PIPE, timeout=60).stdout
    piped = subprocess.run(["wine", exe] + args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                           env=env, timeout=120).stdout
    check(piped.replace(b"\r\n", b"\n") == native, "a pipe gets the report's UTF-8 bytes")
    check(b"\x1b" not in piped, "no escape code in a pipe")

    tty = on_pty(["wine", exe] + args, env).decode("utf-8", "replace")
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", tty).replace("\r", "")
    check("診断結果 [エラー] onboarding.event" in text, "the console shows the Japanese verdict (WriteConsoleW)")
    check("Sense サービスを開始できませんでした" in text, "the console shows the Japanese title")
    check("\ufffd" not in text and "?" * 4 not in text, "no mojibake on the console")
    check("\x1b[1;31m" in tty, "colour on a console with virtual terminal processing")
    check("\u2190[" not in text, "no visible escape codes")
    subprocess.run(["wineserver", "-k"], env=env, **quiet)
    print("%d failures" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
