#!/usr/bin/env python3
"""duk_config.py SRCDIR OUTDIR - Duktape with mdediag's configuration.

Copies Debian's amalgamated Duktape (duktape-dev: /usr/share/duktape/
duktape.c, duktape.h, duk_config.h) into the build tree at build time and
edits duk_config.h so the PAC evaluator (diag/pac.c) can bound a script:

- DUK_USE_INTERRUPT_COUNTER and DUK_USE_EXEC_TIMEOUT_CHECK(udata) ->
  dx_pac_timeout_check(udata): the executor asks pac.c every few thousand
  instructions whether the time budget is spent, and throws (sticky) if so;
- lower recursion limits for the compiler and the regexp compiler and
  executor, so a
  deeply nested script fails with a RangeError well before it could exhaust
  a 1 MiB Windows thread stack.

Nothing of Duktape is committed to this repository; an edit that no longer
applies (another Duktape version) fails the build loudly.
"""
import os
import sys

EDITS = [
    ('#undef DUK_USE_EXEC_TIMEOUT_CHECK\n',
     'extern int dx_pac_timeout_check(void *udata);\n'
     '#define DUK_USE_EXEC_TIMEOUT_CHECK(udata) dx_pac_timeout_check((udata))\n'),
    ('#undef DUK_USE_INTERRUPT_COUNTER\n', '#define DUK_USE_INTERRUPT_COUNTER\n'),
    ('#define DUK_USE_COMPILER_RECLIMIT 2500\n', '#define DUK_USE_COMPILER_RECLIMIT 600\n'),
    ('#define DUK_USE_REGEXP_COMPILER_RECLIMIT 10000\n',
     '#define DUK_USE_REGEXP_COMPILER_RECLIMIT 2000\n'),
    ('#define DUK_USE_REGEXP_EXECUTOR_RECLIMIT 10000\n',
     '#define DUK_USE_REGEXP_EXECUTOR_RECLIMIT 2000\n'),
]


def main():
    src, out = sys.argv[1], sys.argv[2]
    with open(os.path.join(src, 'duk_config.h')) as f:
        cfg = f.read()
    for old, new in EDITS:
        if cfg.count(old) != 1:
            sys.exit(f'duk_config.py: {old.strip()!r} not found once in duk_config.h')
        cfg = cfg.replace(old, new)
    with open(os.path.join(out, 'duk_config.h'), 'w') as f:
        f.write(cfg)
    for name in ('duktape.c', 'duktape.h'):
        with open(os.path.join(src, name), 'rb') as f:
            data = f.read()
        with open(os.path.join(out, name), 'wb') as f:
            f.write(data)


if __name__ == '__main__':
    main()
