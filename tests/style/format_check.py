#!/usr/bin/env python3
"""format_check.py - every C source and header of the project is as
clang-format (Debian 12's, version 14) writes it with the project's
.clang-format; a TAP line per folder.

  format_check.py SOURCE_ROOT

To rewrite the tree: scripts/format.sh. Exit 0 pass, 1 a file differs,
77 skipped (no clang-format; scripts/setup.sh installs it).
"""
import os
import shutil
import subprocess
import sys

FOLDERS = ('common', 'diag', 'harness', 'mockcloud', 'tests')


def sources(root, folder):
    out = []
    for d, dirs, files in os.walk(os.path.join(root, folder)):
        dirs[:] = sorted(x for x in dirs if not x.startswith(('build', '.')))
        out += [os.path.join(d, f) for f in sorted(files) if f.endswith(('.c', '.h'))]
    return out


def main():
    root = os.path.abspath(sys.argv[1])
    tool = shutil.which('clang-format')
    if not tool:
        print('1..0 # SKIP no clang-format (scripts/setup.sh installs it)')
        return 77
    print(f'1..{len(FOLDERS)}')
    bad = 0
    for n, folder in enumerate(FOLDERS, 1):
        files = sources(root, folder)
        differ = []
        for f in files:
            with open(f, 'rb') as fh:
                text = fh.read()
            r = subprocess.run([tool, '--style=file', '--assume-filename', f],
                               input=text, capture_output=True, cwd=root, timeout=60)
            if r.returncode != 0 or r.stdout != text:
                differ.append((os.path.relpath(f, root), r.stderr.decode(errors='replace')[-200:]))
        if differ:
            bad += 1
            print(f'not ok {n} - {folder}: {len(differ)} of {len(files)} files not as '
                  f'clang-format writes them (scripts/format.sh rewrites them)')
            for f, err in differ[:20]:
                print(f'# {f}' + (f': {err}' if err else ''))
        else:
            print(f'ok {n} - {folder}: {len(files)} files as clang-format writes them')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
