#!/usr/bin/env python3
"""console_stderr.py BUILD_WIN - mdediag.exe's messages on stderr, and the
console mode, on a Windows console under Wine (issue 23).

- stderr on a console: a message quoting a Japanese file name reads as
  Japanese (WriteConsoleW, as the report). Written as UTF-8 bytes through
  the C runtime, before, the console read them in its code page.
- The console mode is put back after mdediag switched virtual terminal
  processing on (win32_units.exe --console).

Uses console.py's pty runner (Wine gives a process started on a Unix
terminal a console backed by it). Exit: 0 pass, 1 fail, 77 skipped.
"""
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from console import on_pty  # noqa: E402

NAME = "C:\\\\mdediag-\u8a3a\u65ad-\u306a\u3057.json"  # C:\mdediag-診断-なし.json


def plain(raw):
    """What a terminal shows of Wine's console output: cursor-forward
    moves (how it renders spaces) as spaces, other escape codes dropped."""
    t = raw.decode("utf-8", "replace")
    t = re.sub(r"\x1b\[(\d*)C", lambda m: " " * int(m.group(1) or 1), t)
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", t).replace("\r", "")


def main():
    bw = os.path.abspath(sys.argv[1])
    exe = os.path.join(bw, "diag", "mdediag.exe")
    units = os.path.join(bw, "tests", "wine", "win32_units.exe")
    if not shutil.which("wine") or not os.path.exists(exe) or not os.path.exists(units):
        print("skipped: no wine or no cross build")
        return 77
    env = dict(os.environ)
    env.update({"WINEPREFIX": os.path.join(bw, "wine", "prefix"), "WINEDEBUG": "-all",
                "LANG": "C.UTF-8", "TERM": "xterm"})
    env.pop("DISPLAY", None)
    quiet = dict(stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run(["wineserver", "-p", "60"], env=env, **quiet)
    subprocess.run(["wine", "cmd", "/c", "exit"], env=env, timeout=120, **quiet)
    failures = []

    def check(cond, msg, detail=""):
        print(("ok - " if cond else "not ok - ") + msg)
        if detail:
            print("# " + detail)
        if not cond:
            failures.append(msg)

    try:
        name = NAME.replace("\\\\", "\\")
        text = plain(on_pty(["wine", exe, "--fixture", name, "--no-network"], env))
        line = next((l for l in text.splitlines() if "mdediag:" in l), text[:200])
        check(name in text, "a stderr message on the console keeps the Japanese file name", line)
        out = plain(on_pty(["wine", units, "--console"], env))
        for l in out.splitlines():
            if l.startswith(("ok ", "not ok ", "# ")):
                print("# units: " + l)
        check("not ok" not in out and "ok 1 - the console mode is put back" in out,
              "the console mode is put back")
    finally:
        subprocess.run(["wineserver", "-k"], env=env, **quiet)
    print("%d failures" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
