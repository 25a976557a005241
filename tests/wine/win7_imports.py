#!/usr/bin/env python3
"""win7_imports.py LIST EXE... - the executables load on Windows 7 SP1 /
Server 2008 R2 SP1: every function they import by name is on LIST
(tests/wine/win7-imports.tsv: "DLL<TAB>function<TAB>minimum client" lines
of what Windows 7 exports, and "deny<TAB>DLL<TAB>function<TAB>since" lines of
what it lacks). Fails, naming each function, on an import LIST does not
allow, on a denied one, and on an import by ordinal (it cannot be checked).
Needs x86_64-w64-mingw32-objdump. Exit status 0 ok, 1 failed, 2 usage.
"""
import re
import subprocess
import sys

ROW = re.compile(r'^\t[0-9a-f]+\t\s*(\d+)\s+(\S+)')


def imports(exe):
    """[(dll, function)] of exe's import table; function '#N' by ordinal."""
    out = subprocess.run(['x86_64-w64-mingw32-objdump', '-p', exe], capture_output=True,
                         text=True, check=True).stdout
    dll, got = None, []
    for line in out.splitlines():
        if 'DLL Name:' in line:
            dll = line.split('DLL Name:')[1].strip()
        elif 'The Export Tables' in line or 'The Function Table' in line:
            dll = None
        elif dll:
            m = ROW.match(line)
            if m and m.group(2) != '<none>':
                got.append((dll, m.group(2)))
            elif m or re.match(r'^\t[0-9a-f]+\t\s*\d+\s*$', line):
                got.append((dll, '#' + line.split()[1]))
    return got


def load(path):
    allow, deny = {}, {}
    with open(path, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip('\n')
            if not line or line.startswith('#'):
                continue
            p = line.split('\t')
            if p[0] == 'deny' and len(p) == 4:
                deny[(p[1].lower(), p[2])] = p[3]
            elif len(p) == 3 and p[0] != 'deny':
                allow[(p[0].lower(), p[1])] = p[2]
            else:
                sys.exit(f'{path}:{n}: expected "DLL<TAB>function<TAB>since" or '
                         f'"deny<TAB>DLL<TAB>function<TAB>since"')
    both = sorted(set(allow) & set(deny))
    if both:
        sys.exit(f'{path}: allowed and denied at once: {both}')
    return allow, deny


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    allow, deny = load(sys.argv[1])
    rc = 0
    for exe in sys.argv[2:]:
        got = imports(exe)
        if not got:
            print(f'FAIL {exe}: no imports found (objdump output not understood)')
            rc = 1
            continue
        bad = []
        for dll, fn in got:
            key = (dll.lower(), fn)
            if key in deny:
                bad.append(f'{dll}!{fn}: Windows 7 lacks it (minimum client {deny[key]})')
            elif fn.startswith('#'):
                bad.append(f'{dll} ordinal {fn[1:]}: imported by ordinal, cannot be checked')
            elif key not in allow:
                bad.append(f'{dll}!{fn}: not in {sys.argv[1]} (look up its minimum '
                           f'supported client and add it, or avoid it)')
        print(f'{exe}: {len(got)} imports, {len(got) - len(bad)} available on Windows 7')
        for b in bad:
            print(f'FAIL {b}')
        rc |= bool(bad)
    return rc


if __name__ == '__main__':
    sys.exit(main())
