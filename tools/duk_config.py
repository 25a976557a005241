#!/usr/bin/env python3
"""duk_config.py SRCDIR OUTDIR - Duktape with mdediag's configuration.

Copies Debian's amalgamated Duktape (duktape-dev: /usr/share/duktape/
duktape.c, duktape.h, duk_config.h) into the build tree at build time and
edits duk_config.h (and one line of duktape.c) so the PAC evaluator
(diag/net/pac.c) can bound a script:

- DUK_USE_INTERRUPT_COUNTER and DUK_USE_EXEC_TIMEOUT_CHECK(udata) ->
  dx_pac_timeout_check(udata): the executor asks pac.c every few thousand
  instructions whether the time budget is spent, and throws (sticky) if so;
- lower recursion limits for the compiler and the regexp compiler and
  executor, so a
  deeply nested script fails with a RangeError well before it could exhaust
  a 1 MiB Windows thread stack;
- in duktape.c, the regexp executor asks the same timeout check every 65,536
  steps: it runs no bytecode, so the executor's check never ran there, and a
  backtracking pattern (shExpMatch("aaa...", "*a*a*a*b"), /^(a|a)*$/) ran on
  to Duktape's own limit of 10^9 steps, seconds past the budget;
- on Windows, Date.now() from GetSystemTimeAsFileTime, never
  GetSystemTimePreciseAsFileTime: Duktape picks the precise one whenever
  _WIN32_WINNT is 0x0602 or more (MinGW's default is 0x0a00), and
  Windows 7 / Server 2008 R2 do not export it (Microsoft Learn,
  GetSystemTimePreciseAsFileTime: "Minimum supported client Windows 8"),
  so mdediag.exe would not even start there (tests/wine/win7_imports.py).

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
    ('#if defined(_WIN32_WINNT) && (_WIN32_WINNT >= 0x0602)\n'
     '#define DUK_USE_DATE_NOW_WINDOWS_SUBMS\n',
     '#if 0 /* mdediag: Windows 7 lacks GetSystemTimePreciseAsFileTime */\n'
     '#define DUK_USE_DATE_NOW_WINDOWS_SUBMS\n'),
]

SOURCE_EDITS = [
    ('\t\tif (re_ctx->steps_count >= re_ctx->steps_limit) {\n',
     '\t\tif (re_ctx->steps_count >= re_ctx->steps_limit ||\n'
     '\t\t    ((re_ctx->steps_count & 0xffffU) == 0 &&\n'
     '\t\t     DUK_USE_EXEC_TIMEOUT_CHECK(re_ctx->thr->heap->heap_udata))) {\n'),
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
    with open(os.path.join(src, 'duktape.c'), encoding='utf-8') as f:
        code = f.read()
    for old, new in SOURCE_EDITS:
        if code.count(old) != 1:
            sys.exit(f'duk_config.py: {old.strip()!r} not found once in duktape.c')
        code = code.replace(old, new)
    with open(os.path.join(out, 'duktape.c'), 'w', encoding='utf-8') as f:
        f.write(code)
    with open(os.path.join(src, 'duktape.h'), 'rb') as f:
        data = f.read()
    with open(os.path.join(out, 'duktape.h'), 'wb') as f:
        f.write(data)


if __name__ == '__main__':
    main()
