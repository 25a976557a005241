#!/usr/bin/env python3
"""The text report fits 80 columns (CJK counts 2) in both languages, for
every fixture, the hostile one and the synthetic TLS model; it has colour
only on a terminal and never with NO_COLOR; it follows the locale when
--lang is not given."""
import os
import pty
import re
import select
import subprocess

from common import (HOSTILE, LANGS, MDEDIAG, FIXTURES, check, columns, diag, finish,
                    fixtures, name, net_model, render, run)

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def widths_ok(label, text, width=80):
    bad = [l for l in text.split("\n") if columns(ANSI.sub("", l)) > width]
    check(not bad, "%s: %d lines wider than %d, first: %r" % (label, len(bad), width,
                                                                bad[0] if bad else ""))
    ctl = re.search(r"[\x00-\x09\x0b-\x1f\x7f\x80-\x9f\u202a-\u202e]", ANSI.sub("", text))
    check(not ctl, "%s: control character %r in text" % (label, ctl.group(0) if ctl else ""))
    return 2


def on_pty(args, env):
    """stdout of a command whose stdout is a terminal."""
    master, slave = pty.openpty()
    e = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR",)}
    e.update(env)
    p = subprocess.Popen(args, stdout=slave, stderr=subprocess.DEVNULL, env=e)
    os.close(slave)
    out = b""
    while True:
        r, _, _ = select.select([master], [], [], 10)
        if not r:
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    p.wait(timeout=10)
    os.close(master)
    return out.decode("utf-8", "replace").replace("\r\n", "\n")


def main():
    checked = 0
    for fx in fixtures():
        for lang in LANGS:
            out, _ = diag(fx, "text", lang)
            text = out.decode("utf-8")
            checked += widths_ok("%s/%s" % (name(fx), lang), text)
            check("\x1b" not in text, "%s/%s: colour in a pipe" % (name(fx), lang))
            checked += 1
    model = net_model()
    for lang in LANGS:
        checked += widths_ok("tls/" + lang, render(model, "text", lang).decode())
        checked += widths_ok("tls-60/" + lang, render(model, "text", lang, 60).decode(), 60)

    ev15 = os.path.join(FIXTURES, "sense-stopped-event15.json")
    args = [MDEDIAG, "--fixture", ev15, "--no-network"]
    tty = on_pty(args, {"TERM": "xterm"})
    check("\x1b[" in tty, "no colour on a terminal")
    checked += 1 + widths_ok("tty", tty)
    check("\x1b" not in on_pty(args, {"TERM": "xterm", "NO_COLOR": "1"}), "colour despite NO_COLOR")
    check("\x1b" not in on_pty(args, {"TERM": "dumb"}), "colour on TERM=dumb")
    checked += 2

    # language from the environment (POSIX order: LC_ALL, LC_MESSAGES, LANG)
    def lang_of(env):
        e = {"LC_ALL": "", "LC_MESSAGES": "", "LANG": ""}
        e.update(env)
        out = run(args, env=e).stdout.decode()
        return "ja" if "診断結果" in out else "en" if "VERDICT" in out else "?"
    for env, want in [({"LANG": "ja_JP.UTF-8"}, "ja"), ({"LANG": "en_US.UTF-8"}, "en"),
                      ({"LANG": "C"}, "en"), ({}, "en"),
                      ({"LC_ALL": "C", "LANG": "ja_JP.UTF-8"}, "en"),
                      ({"LC_MESSAGES": "ja_JP.UTF-8", "LANG": "en_US"}, "ja"),
                      ({"LC_ALL": "ja_JP.eucJP"}, "ja")]:
        check(lang_of(env) == want, "locale %r gave %s, want %s" % (env, lang_of(env), want))
        checked += 1
    e = run(args + ["--lang", "ja"], env={"LANG": "en_US.UTF-8"}).stdout.decode()
    check("診断結果" in e, "--lang ja does not win over LANG")
    p = run(args + ["--lang", "xx"], check_rc=None)
    check(p.returncode == 2 and b"--lang xx" in p.stderr, "--lang xx not rejected with status 2")
    checked += 2
    finish(checked)


if __name__ == "__main__":
    main()
