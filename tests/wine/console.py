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
- On a code page 932 console (chcp 932): `mdediag --lang ja | more`, a
  redirection read back with `type`, and --output with each --encoding
  read as the native report (docs/windows.md); on code page 437 a
  Japanese report stays UTF-8 rather than turn into '?'.
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


def shown(out):
    """What a pty shows, escape codes and CRs removed."""
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out.decode("utf-8", "replace")).replace("\r", "")


def code_page_932(a, exe, env, args, native, check):
    """Japanese through a pipe and into files on a code page 932 console
    (issue 21): `chcp 932` in Wine's cmd, its console on our pty. What
    `more` and `type` show comes back as UTF-8 on the pty."""
    win_exe = "Z:" + os.path.abspath(exe).replace("/", "\\")
    fx = a.fixture  # as the native run was given it: the header names it
    prefix = env["WINEPREFIX"]
    out_dir = os.path.join(prefix, "drive_c", "mdediag-enc")
    shutil.rmtree(out_dir, ignore_errors=True)
    os.makedirs(out_dir)
    run = "%s --fixture %s --no-network --lang ja" % (win_exe, fx)
    want = native.decode("utf-8")
    first = "診断結果 [エラー] onboarding.event"

    # mdediag | more: the console's code page, as more decodes it
    tty = shown(on_pty(["wine", "cmd", "/c", "chcp 932 >nul & %s | more" % run], env))
    check(first in tty and "Sense サービスを開始できませんでした" in tty,
          "cp932: mdediag | more shows the Japanese report")
    check("繧" not in tty and "\ufffd" not in tty, "cp932: no mojibake through more")

    # mdediag > file, then type: the file holds code page 932 bytes
    on_pty(["wine", "cmd", "/c", "chcp 932 >nul & %s > C:\\mdediag-enc\\redir.txt" % run], env)
    raw = open(os.path.join(out_dir, "redir.txt"), "rb").read()
    try:
        text = raw.decode("cp932").replace("\r\n", "\n")
    except UnicodeDecodeError as e:
        text = "not code page 932: %s" % e
    check(text == want, "cp932: a redirected report is the native report in code page 932")
    tty = shown(on_pty(["wine", "cmd", "/c", "chcp 932 >nul & type C:\\mdediag-enc\\redir.txt"], env))
    check(first in tty, "cp932: type shows the redirected report")

    # --output with the default (auto) and each --encoding
    for enc, decode in (("", lambda b: b.decode("cp932")),
                        ("utf-8", lambda b: b.decode("utf-8")),
                        ("utf-8-bom", lambda b: b[3:].decode("utf-8") if b[:3] == b"\xef\xbb\xbf" else ""),
                        ("utf-16le", lambda b: b[2:].decode("utf-16-le") if b[:2] == b"\xff\xfe" else ""),
                        ("cp932", lambda b: b.decode("cp932"))):
        name = "out-%s.txt" % (enc or "auto")
        opt = " --encoding " + enc if enc else ""
        on_pty(["wine", "cmd", "/c", "chcp 932 >nul & %s%s --output C:\\mdediag-enc\\%s" % (run, opt, name)], env)
        try:
            raw = open(os.path.join(out_dir, name), "rb").read()
            text = decode(raw)
        except (OSError, UnicodeDecodeError) as e:
            text = "unreadable: %s" % e
        check(text.replace("\r\n", "\n") == want and "\r\n" in text,
              "cp932: --output%s is the native report (CRLF lines)" % opt)

    # a console whose code page cannot hold Japanese: UTF-8, not '?'
    on_pty(["wine", "cmd", "/c", "chcp 437 >nul & %s > C:\\mdediag-enc\\cp437.txt" % run], env)
    raw = open(os.path.join(out_dir, "cp437.txt"), "rb").read()
    check(raw.replace(b"\r\n", b"\n") == native, "cp437: a Japanese report stays UTF-8")
    # English on code page 932: ASCII, the same bytes
    r = subprocess.run(["wine", "cmd", "/c", "chcp 932 >nul & %s --fixture %s --no-network --lang en" % (win_exe, fx)],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, env=env, timeout=120)
    en = subprocess.run([a.native, "--fixture", a.fixture, "--no-network", "--lang", "en"],
                        stdout=subprocess.PIPE, timeout=60).stdout
    check(r.stdout.replace(b"\r\n", b"\n") == en, "cp932: an English report is unchanged")
    shutil.rmtree(out_dir, ignore_errors=True)


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
    # stdin not inherited: a terminal there gives the Wine process a
    # console of its own, which CI's /dev/null does not
    pr = subprocess.run(["wine", exe] + args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE, env=env, timeout=120)
    piped = pr.stdout
    same = piped.replace(b"\r\n", b"\n") == native
    check(same, "a pipe gets the report's UTF-8 bytes")
    if not same:
        # what a failure needs to be understood (once seen in CI, never
        # reproduced since: docs/windows.md, "Known Wine gaps")
        flat = piped.replace(b"\r\n", b"\n")
        at = next((i for i, (x, y) in enumerate(zip(flat, native)) if x != y), min(len(flat), len(native)))
        print("# exit %d, %d bytes (native %d), first difference at byte %d: %r, stderr %r"
              % (pr.returncode, len(flat), len(native), at, flat[at:at + 60], pr.stderr[-300:]))
    check(b"\x1b" not in piped, "no escape code in a pipe")

    tty = on_pty(["wine", exe] + args, env).decode("utf-8", "replace")
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", tty).replace("\r", "")
    check("診断結果 [エラー] onboarding.event" in text, "the console shows the Japanese verdict (WriteConsoleW)")
    check("Sense サービスを開始できませんでした" in text, "the console shows the Japanese title")
    check("\ufffd" not in text and "?" * 4 not in text, "no mojibake on the console")
    check("\x1b[1;31m" in tty, "colour on a console with virtual terminal processing")
    check("\u2190[" not in text, "no visible escape codes")
    code_page_932(a, exe, env, args, native, check)
    subprocess.run(["wineserver", "-k"], env=env, **quiet)
    print("%d failures" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
