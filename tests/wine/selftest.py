#!/usr/bin/env python3
"""selftest.py - `mdediag.exe selftest` under Wine must agree with Wine's
own tools (docs/windows.md, "Self-test on a device").

  selftest.py --build-win DIR FIXTURE...

For each FIXTURE (a device fixture, or a scenario.json: its device), the
Wine prefix of DIR is loaded with it (winetest.py's load), its registry
written again through the 64-bit view (the 64-bit reg.exe, /reg:64: in a
WoW64 prefix, a plain `reg import` lands in WOW6432Node, which the 64-bit
mdediag.exe does not read), and `mdediag.exe selftest --output FILE` is
run. It fails when:
  - any line says DIFFER, or the exit status is not 0;
  - a comparison whose Windows tool Wine 8 has and implements is not
    `agree`: every registry value (reg.exe), the state of every service
    the fixture has (sc query);
  - an agreeing registry value or service state is not the fixture's (so
    "absent" agreeing with "absent" cannot pass for a load that missed);
  - the file (--output) does not say what the lines say;
  - with Wine's powershell.exe stub moved aside, a file version line does
    not say `not compared: powershell.exe not found`, or the exit is not 0;
  - on a console (script(1)'s pseudo-terminal), the code page does not
    agree with chcp.
Comparisons Wine cannot make are allowed to be "not compared" (WINE_CANNOT
below, with the reason); if Wine learns to make one, it must then agree.

Exit status: 0 pass, 1 fail, 77 skipped (no Wine or no cross build).
"""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import winetest  # noqa: E402

SKIP = 77
# (area, what it ends with or '*') -> why Wine 8.0 cannot compare it
WINE_CANNOT = {
    ('service', 'start type'): "Wine's sc.exe has no qc (exit 1, no output)",
    ('file', '*'): "Wine's powershell.exe is a stub that prints nothing",
    ('events', '*'): 'Wine stubs the Event Log API (EvtQuery), so the platform cannot read logs',
    ('elevation', '*'): "Wine's whoami prints the user name only, no /groups",
    ('codepage', '*'): 'mdediag runs without a console here (pipes), so chcp has none to ask',
    ('proxy', '*'): "Wine's netsh prints nothing for winhttp show proxy",
    ('pac', '*'): 'no WPAD server on the test machine',
}
STATE_NAMES = {1: 'STOPPED', 2: 'START_PENDING', 3: 'STOP_PENDING', 4: 'RUNNING',
               5: 'CONTINUE_PENDING', 6: 'PAUSE_PENDING', 7: 'PAUSED'}


def shown(v):
    """dx_st_print's form of a value (long ones hashed, the type kept)."""
    if len(v.encode()) <= 100 and not any(ord(c) < 0x20 for c in v):
        return v
    t = ''
    if v.startswith('REG_') and ' ' in v and v.index(' ') < 24:
        t = v[:v.index(' ') + 1]
    rest = v[len(t):].encode()
    return f'{t}<{len(rest)} bytes, sha256 {hashlib.sha256(rest).hexdigest()[:16]}...>'


def reg_form(v):
    """A fixture registry value as `reg query` prints it, with its type."""
    t, data = winetest.typed(v, 'fixture')
    if t in ('REG_SZ', 'REG_EXPAND_SZ'):
        return f'{t} {data}'
    if t in ('REG_DWORD', 'REG_QWORD'):
        return f'{t} 0x{data:x}'
    if t == 'REG_MULTI_SZ':
        return t + ' ' + '\\0'.join(data)
    return t + ' ' + data.hex().upper()


def parse_lines(out):
    """(outcome, area, what, rest) per comparison line, and the count line."""
    rows, count = [], None
    for line in out.splitlines():
        for outcome, tag in (('agree', 'agree '), ('differ', 'DIFFER '),
                             ('not compared', 'not compared ')):
            if line.startswith(tag):
                body = line[len(tag):].lstrip()
                area, _, rest = body.partition(' ')
                rest = rest.lstrip()
                # "WHAT: VALUE"; a registry WHAT ends with "]"
                if area == 'registry':
                    i = rest.index(']: ') + 1
                else:
                    i = rest.index(': ')
                rows.append((outcome, area, rest[:i], rest[i + 2:]))
                break
        else:
            if line.endswith(' not compared') and ' agree, ' in line:
                count = line
    return rows, count


def wine_cannot(area, what):
    for (a, w), why in WINE_CANNOT.items():
        if a == area and (w == '*' or what.endswith(w)):
            return why
    return None


def run_one(prefix, args, fixture):
    fx = winetest.device_of(fixture)
    path = fixture
    if fixture.endswith('scenario.json'):
        path = os.path.join(prefix.top, 'scenario-device.json')
        os.makedirs(prefix.top, exist_ok=True)
        with open(path, 'w') as fh:
            json.dump(fx, fh, indent=1)
    winetest.load(prefix, path, args.svc)
    # The registry again, through the 64-bit view (see the docstring).
    regfile = os.path.join(prefix.top, 'fixture.reg')
    prefix.run(['wine', 'C:\\windows\\system32\\reg.exe', 'import',
                'Z:' + regfile.replace('/', '\\'), '/reg:64'], input=b'')
    out_unix = os.path.join(prefix.drive_c, 'selftest.json')
    if os.path.exists(out_unix):
        os.unlink(out_unix)
    r = prefix.run_mdediag([args.exe, 'selftest', '--output', 'C:\\selftest.json'], timeout=240)
    out = r.stdout.decode('utf-8', errors='replace')
    name = os.path.basename(os.path.dirname(fixture)) if fixture.endswith('scenario.json') \
        else os.path.basename(fixture)
    print(f'# {name}: mdediag.exe selftest exit {r.returncode}')
    for line in out.splitlines():
        print(f'#   {line}')
    if r.stderr:
        print('# stderr: ' + r.stderr.decode(errors='replace').strip()[-500:])
    bad = []
    rows, count = parse_lines(out)
    if not rows or count is None:
        bad.append('no comparison lines, or no count line')
    if r.returncode != 0:
        bad.append(f'exit status {r.returncode}, expected 0')
    reg = {}
    for key, values in (fx.get('registry') or {}).items():
        for vname, v in (values or {}).items():
            if isinstance(v, dict) and v.get('type') not in (None, 'REG_SZ', 'REG_EXPAND_SZ',
                                                             'REG_DWORD', 'REG_QWORD',
                                                             'REG_MULTI_SZ', 'REG_BINARY'):
                continue
            reg[f'{key} [{vname}]'.lower()] = shown(reg_form(v))
    services = {n.lower(): STATE_NAMES.get(int(s.get('state', 1)))
                for n, s in (fx.get('services') or {}).items()}
    seen_reg = 0
    for outcome, area, what, rest in rows:
        if outcome == 'differ':
            bad.append(f'DIFFER: {area} {what}: {rest}')
            continue
        why = wine_cannot(area, what)
        svc = what[:-len(' state')].lower() if area == 'service' and what.endswith(' state') else None
        if outcome == 'not compared':
            if why:
                continue
            if svc is not None and svc not in services:
                continue  # Wine's sc query prints nothing for a missing service
            bad.append(f'not compared, though Wine has the tool: {area} {what}: {rest}')
            continue
        # agree: with the fixture's own value where the fixture has one
        if area == 'registry':
            seen_reg += 1
            want = reg.get(what.lower())
            if want is not None and rest != want:
                bad.append(f'{what}: agreed on {rest!r}, the fixture holds {want!r}')
        if svc is not None and svc in services and rest != services[svc]:
            bad.append(f'{what}: agreed on {rest}, the fixture says {services[svc]}')
    if seen_reg < 30:
        bad.append(f'only {seen_reg} registry values agree (expected every one, 30 or more)')
    # The file says what the lines say.
    try:
        with open(out_unix) as fh:
            j = json.load(fh)
        comps = j['comparisons']
        if len(comps) != len(rows):
            bad.append(f'the file has {len(comps)} comparisons, the lines {len(rows)}')
        for c, (outcome, area, what, _) in zip(comps, rows):
            if (c['outcome'], c['area'], c['what']) != (outcome, area, what):
                bad.append(f'file/line mismatch: {c["outcome"]} {c["area"]} {c["what"]} '
                           f'vs {outcome} {area} {what}')
                break
        s = j['summary']
        want = f'{s["agree"]} agree, {s["differ"]} differ, {s["not_compared"]} not compared'
        if count != want:
            bad.append(f'count line {count!r}, the file says {want!r}')
        if 'wine' not in j.get('os', {}):
            bad.append('the file does not say it ran under Wine (os.wine)')
        if not j.get('tool_version'):
            bad.append('the file has no tool_version')
    except (OSError, ValueError, KeyError) as e:
        bad.append(f'the file C:\\selftest.json: {e}')
    return bad


def missing_tool(prefix, args):
    """A tool that is not there is a line, not a failure: with Wine's
    powershell.exe stub moved aside, each file version says `not compared:
    powershell.exe not found` (as on a device without Windows PowerShell)
    and the run still exits 0. Runs on the prefix as the last device left it."""
    ps = prefix.unix_path('C:\\windows\\system32\\WindowsPowerShell\\v1.0\\powershell.exe')
    if not os.path.exists(ps):
        return [], 'no powershell.exe in this prefix: the run above showed its absence'
    aside = ps + '.mdediag-aside'
    os.rename(ps, aside)
    try:
        r = prefix.run_mdediag([args.exe, 'selftest'], timeout=240)
    finally:
        os.rename(aside, ps)
    out = r.stdout.decode('utf-8', errors='replace')
    rows, _ = parse_lines(out)
    files = [x for x in rows if x[1] == 'file']
    bad = []
    if r.returncode != 0:
        bad.append(f'exit status {r.returncode} without powershell.exe, expected 0')
    if not files:
        bad.append('no file comparison lines')
    for outcome, _, what, rest in files:
        if outcome != 'not compared' or rest != 'powershell.exe not found':
            bad.append(f'{what}: {outcome}: {rest!r}, expected not compared: powershell.exe not found')
    return bad, None


def with_console(prefix, args):
    """On a console the code page is compared too: selftest run under
    script(1)'s pseudo-terminal (Wine then gives it a console) must agree
    with chcp. The file is read, not the screen (the console output is
    drawn with cursor movements)."""
    if shutil.which('script') is None:
        return [], 'no script(1) (util-linux) to give Wine a terminal'
    out_unix = os.path.join(prefix.drive_c, 'selftest-console.json')
    if os.path.exists(out_unix):
        os.unlink(out_unix)
    cmd = f'wine {args.exe} selftest --output C:\\\\selftest-console.json'
    r = subprocess.run(['script', '-qec', cmd, '/dev/null'], env=prefix.env,
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=240)
    bad = []
    if r.returncode != 0:
        bad.append(f'exit status {r.returncode} on a console, expected 0')
    try:
        with open(out_unix) as fh:
            j = json.load(fh)
    except (OSError, ValueError) as e:
        return bad + [f'the file C:\\selftest-console.json: {e}'], None
    cp = [c for c in j['comparisons'] if c['area'] == 'codepage']
    print(f'# on a console: {j["summary"]}; code page: {cp}')
    if len(cp) != 1 or cp[0]['outcome'] != 'agree':
        bad.append(f'the code page did not agree with chcp on a console: {cp}')
    for c in j['comparisons']:
        if c['outcome'] == 'differ':
            bad.append(f'DIFFER on a console: {c["area"]} {c["what"]}: {c["mdediag"]} / {c["windows"]}')
    return bad, None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--build-win', required=True)
    ap.add_argument('fixtures', nargs='+')
    args = ap.parse_args()
    bw = os.path.abspath(os.environ.get('MDEDIAG_BUILD_WIN') or args.build_win)
    args.svc = os.path.join(bw, 'tests', 'wine', 'svc.exe')
    args.exe = os.path.join(bw, 'diag', 'mdediag.exe')
    if shutil.which('wine') is None or not os.path.exists(args.svc):
        print(f'skipped: no wine or no cross build in {bw} (see docs/windows.md)')
        return SKIP
    prefix = winetest.Prefix(bw)
    print(f'1..{len(args.fixtures) + 2}')
    failed = 0
    try:
        for i, f in enumerate(args.fixtures, 1):
            try:
                bad = run_one(prefix, args, f)
            except winetest.Fail as e:
                bad = [str(e)]
            label = os.path.basename(os.path.dirname(f)) if f.endswith('scenario.json') \
                else os.path.basename(f)
            if bad:
                failed += 1
                print(f'not ok {i} - {label}')
                for b in bad:
                    print(f'# FAIL {b}')
            else:
                print(f'ok {i} - {label}')
        n = len(args.fixtures) + 1
        try:
            bad, skip = missing_tool(prefix, args)
        except winetest.Fail as e:
            bad, skip = [str(e)], None
        if skip:
            print(f'ok {n} - a missing powershell.exe # SKIP {skip}')
        elif bad:
            failed += 1
            print(f'not ok {n} - a missing powershell.exe is a line')
            for b in bad:
                print(f'# FAIL {b}')
        else:
            print(f'ok {n} - a missing powershell.exe is a line')
        n += 1
        try:
            bad, skip = with_console(prefix, args)
        except (winetest.Fail, subprocess.TimeoutExpired) as e:
            bad, skip = [str(e)], None
        if skip:
            print(f'ok {n} - the code page on a console # SKIP {skip}')
        elif bad:
            failed += 1
            print(f'not ok {n} - the code page on a console agrees with chcp')
            for b in bad:
                print(f'# FAIL {b}')
        else:
            print(f'ok {n} - the code page on a console agrees with chcp')
    finally:
        prefix.stop()
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
