#!/usr/bin/env python3
"""intune_install.py - packaging/intune/install.cmd and uninstall.cmd as the
Intune Management Extension runs them: in a 32-bit cmd.exe on 64-bit
Windows (issue 21), under Wine.

  intune_install.py --build-win DIR PACKAGING_DIR

In the Wine tests' shared prefix (DIR/wine/prefix, a win64 prefix with
WoW64 where Debian's wine32:i386 is installed), put back to its snapshot
first as every Wine test does (winetest.py's Prefix):

- the 32-bit cmd (C:\\windows\\syswow64\\cmd.exe) really is a 32-bit
  context: its %ProgramFiles% is "C:\\Program Files (x86)" (else the test
  could not fail);
- install.cmd run by it puts mdediag.exe, byte for byte, in
  "C:\\Program Files\\mdediag", where the README's detection rule and
  Detect-MdeDiag.ps1 (64-bit PowerShell) look, and nothing in
  "Program Files (x86)";
- uninstall.cmd run by it removes the file and the folder;
- the same from the 64-bit cmd;
- on 32-bit Windows (no %ProgramW6432%, PROCESSOR_ARCHITECTURE=x86)
  install.cmd refuses, exit 1, and copies nothing: the exe is x64 only.

Exit: 0 pass, 1 fail, 77 skipped (no Wine, no cross build, or no 32-bit
Wine: Debian's wine32:i386 is what runs syswow64's programs).
"""
import argparse
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from winetest import Prefix  # noqa: E402

SKIP = 77
CMD32 = 'C:\\windows\\syswow64\\cmd.exe'
CMD64 = 'C:\\windows\\system32\\cmd.exe'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build-win', required=True)
    ap.add_argument('packaging')
    a = ap.parse_args()
    exe = os.path.join(a.build_win, 'diag', 'mdediag.exe')
    if not shutil.which('wine') or not os.path.exists(exe):
        print('skipped: no wine or no mdediag.exe in ' + a.build_win)
        return SKIP
    shared = Prefix(a.build_win)
    env = dict(shared.env, WINEARCH='win64')
    pf64 = os.path.join(shared.drive_c, 'Program Files', 'mdediag')
    pf32 = os.path.join(shared.drive_c, 'Program Files (x86)', 'mdediag')
    pkg = os.path.join(shared.drive_c, 'mdediag-app')
    failures = []

    def check(cond, msg):
        print(('ok - ' if cond else 'not ok - ') + msg)
        if not cond:
            failures.append(msg)

    def wine(*args):
        return subprocess.run(['wine'] + list(args), env=env, capture_output=True,
                              stdin=subprocess.DEVNULL, timeout=120)

    try:
        # the snapshot's registry, no fixture's files; Wine's background
        # processes started detached, so no pipe read below waits for them
        shared.reset()
        for d in (pf64, pf32, pkg):
            shutil.rmtree(d, ignore_errors=True)
        os.makedirs(pkg)
        for f in ('install.cmd', 'uninstall.cmd'):
            shutil.copy2(os.path.join(a.packaging, f), pkg)
        shutil.copy2(exe, pkg)
        want = open(exe, 'rb').read()

        r = wine(CMD32, '/c', 'echo %PROCESSOR_ARCHITECTURE%=%ProgramFiles%')
        if r.returncode != 0 or b'=' not in r.stdout:
            print('skipped: no 32-bit Wine here (%s: exit %d, %r); install wine32:i386'
                  % (CMD32, r.returncode, (r.stdout + r.stderr)[-200:]))
            return SKIP
        seen = r.stdout.decode(errors='replace').strip()
        check(seen == 'x86=C:\\Program Files (x86)',
              '32-bit cmd is a WOW64 context (%s)' % seen)

        for cmd in (CMD32, CMD64):
            r = wine(cmd, '/c', 'C:\\mdediag-app\\install.cmd')
            got = os.path.join(pf64, 'mdediag.exe')
            check(r.returncode == 0, '%s install.cmd: exit %d %s' % (cmd, r.returncode, r.stderr[-200:]))
            check(os.path.isfile(got) and open(got, 'rb').read() == want,
                  '%s install.cmd: mdediag.exe in C:\\Program Files\\mdediag' % cmd)
            check(not os.path.exists(pf32), '%s install.cmd: nothing in C:\\Program Files (x86)' % cmd)
            r = wine(cmd, '/c', 'C:\\mdediag-app\\uninstall.cmd')
            check(r.returncode == 0 and not os.path.exists(pf64),
                  '%s uninstall.cmd: C:\\Program Files\\mdediag removed (exit %d)' % (cmd, r.returncode))

        # 32-bit Windows: the variables as they are there (cmd /c runs the
        # line in one process, the sets first)
        r = wine(CMD32, '/c', 'set ProgramW6432=& set PROCESSOR_ARCHITECTURE=x86& '
                 'C:\\mdediag-app\\install.cmd')
        check(r.returncode == 1, '32-bit Windows: install.cmd exits 1 (%d)' % r.returncode)
        check(b'x64 only' in r.stderr, '32-bit Windows: install.cmd says why (%r)' % r.stderr[-200:])
        check(not os.path.exists(pf64) and not os.path.exists(pf32), '32-bit Windows: nothing copied')
    finally:
        for d in (pf64, pf32, pkg):
            shutil.rmtree(d, ignore_errors=True)
        shared.stop()
    print('%d failures' % len(failures))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
