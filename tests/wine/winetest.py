#!/usr/bin/env python3
"""winetest.py - runs the Windows build under Wine against device fixtures.

One Wine prefix per build directory (BUILD_WIN/wine/prefix), created once
(~7 s) and snapshotted; every test restores the snapshot's registry, loads
its fixture (registry values, services backed by tests/wine/svc.c, files
with version resources) and runs its programs in it. Tests sharing the
prefix must run one at a time (Meson: is_parallel: false).

  winetest.py --build-win DIR load FIXTURE
      reset the prefix and load FIXTURE (for poking at it by hand:
      WINEPREFIX=DIR/wine/prefix wine ...)
  winetest.py --build-win DIR probe FIXTURE
      load FIXTURE, ask platform_probe.exe about every registry value,
      service and file in it and about things that are absent; fail on any
      answer that differs from the fixture
  winetest.py --build-win DIR imports EXE...
      fail unless every DLL the EXEs import is a system DLL
  winetest.py --build-win DIR conform [--native MDEDIAG] FIXTURE [-- ARGS]
      load FIXTURE, run mdediag.exe in the prefix (real Win32 platform)
      and `MDEDIAG --fixture TWIN` (fake platform), compare findings; TWIN
      is FIXTURE as Wine can model it (fake_twin). Fixtures with fault
      rules are skipped: Wine cannot deny a read.
      FIXTURE may be a scenario.json: its fixture with its overrides.
  winetest.py --build-win DIR conform-all [--jobs N] [--native MDEDIAG]
              [--arg=ARG]... FIXTURE...
      `conform` on every FIXTURE, N at a time (default 2), each job in a
      prefix of its own (DIR/wine, DIR/wine-2, ...; --prefix-name picks one
      for the other commands): TAP, one line per FIXTURE, with the
      `conform` run's output below a failing line
  winetest.py --build-win DIR list-scenarios DEVICES SCENARIOS
      scenarios whose device (fixture + overrides, DNS aside) is new
  winetest.py --build-win DIR collect [--native MDEDIAG] FIXTURE
      load FIXTURE, run `mdediag.exe collect` in the prefix, replay the
      collected fixture with the native MDEDIAG: same findings as the live
      mdediag.exe run
  winetest.py --build-win DIR scenarios --harness HARNESS
      every scenario of the harness with mdediag.exe under Wine; the ones
      in TODO_WINE_SCENARIOS must still fail (todo_wine)

The fixture format is the one of docs/fixture.md: `registry` (key ->
value name -> string | integer | {"type": "REG_...", "data"/"hex": ...}),
`services` (name -> {"state", "start_type", "image_path"}), `files`
(Windows path -> {"version": "a.b.c.d"} | {"type": "dir"} | {}).
Sections Wine cannot model (events, network facts) are ignored here.

Exit status: 0 pass, 1 fail, 77 skipped (no Wine or no cross build), as
Meson expects.
"""
import argparse
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import time

SKIP = 77
CURRENT_VERSION = 'HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion'
ROOTS = {
    'HKLM': 'HKEY_LOCAL_MACHINE', 'HKEY_LOCAL_MACHINE': 'HKEY_LOCAL_MACHINE',
    'HKCU': 'HKEY_CURRENT_USER', 'HKEY_CURRENT_USER': 'HKEY_CURRENT_USER',
    'HKU': 'HKEY_USERS', 'HKEY_USERS': 'HKEY_USERS',
    'HKCR': 'HKEY_CLASSES_ROOT', 'HKEY_CLASSES_ROOT': 'HKEY_CLASSES_ROOT',
}
START_NAMES = {0: 'boot', 1: 'system', 2: 'auto', 3: 'demand', 4: 'disabled'}
# Values a fresh Wine prefix has under CurrentVersion that a fixture's
# device may not: removed unless the fixture gives them, so the real
# platform and the fake one see the same key.
WINE_CURRENTVERSION = ['CSDVersion', 'CurrentBuild', 'CurrentBuildNumber',
                       'CurrentType', 'CurrentVersion', 'ProductName',
                       'CurrentMajorVersionNumber', 'CurrentMinorVersionNumber']
KEY_CURRENTVERSION = r'HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion'
SYSTEM_DLLS = {
    'kernel32.dll', 'advapi32.dll', 'user32.dll', 'ws2_32.dll', 'wevtapi.dll',
    'version.dll', 'msvcrt.dll', 'bcrypt.dll', 'crypt32.dll', 'iphlpapi.dll',
    'shell32.dll', 'ole32.dll', 'secur32.dll', 'ntdll.dll', 'dnsapi.dll',
    'winhttp.dll', 'userenv.dll', 'shlwapi.dll', 'gdi32.dll', 'rpcrt4.dll',
    'ucrtbase.dll', 'normaliz.dll',
}
SYSTEM_DLL_PREFIXES = ('api-ms-win-',)


class Fail(Exception):
    pass


class WineStalled(Fail):
    """Wine itself did not get there in time (cmd or sc hung, a service
    never reached its state): the prefix's doing, not mdediag's."""


def log(msg):
    print(f'winetest: {msg}', file=sys.stderr, flush=True)


# ---- the prefix ---------------------------------------------------------

class Prefix:
    """The shared Wine prefix of one cross build directory."""

    def __init__(self, build_win, name='wine'):
        self.build_win = os.path.abspath(build_win)
        self.top = os.path.join(self.build_win, name)
        self.path = os.path.join(self.top, 'prefix')
        self.snap = os.path.join(self.top, 'snapshot')
        self.env = dict(os.environ, WINEPREFIX=self.path, WINEDEBUG='-all')
        self.env.pop('DISPLAY', None)
        self.drive_c = os.path.join(self.path, 'drive_c')

    def run(self, args, check=True, input=None, timeout=60):
        r = subprocess.run(args, env=self.env, input=input, capture_output=True,
                           timeout=timeout)
        if check and r.returncode != 0:
            raise Fail(f'{" ".join(args)}: exit {r.returncode}: '
                       f'{r.stderr.decode(errors="replace")[-500:]}')
        return r

    def run_mdediag(self, args, timeout=120):
        """Runs `wine mdediag.exe ARGS`. mdediag always says something:
        the report on stdout, or a reason on stderr. A run that printed
        nothing on either, whatever its exit status, never reached mdediag's
        own code with working stdio (seen once in a CI run: exit status not
        recorded, 4.2 s, both streams empty); it is run once more and logged.
        A second silent run is returned as it is, for the caller to fail."""
        def once():
            return subprocess.run(['wine'] + args, env=self.env,
                                  capture_output=True, timeout=timeout)
        r = once()
        if not r.stdout and not r.stderr:
            log(f'wine {os.path.basename(args[0])} printed nothing on stdout or stderr '
                f'(exit {r.returncode}): once more')
            r = once()
        return r

    def stop(self):
        for a in ('-k', '-w'):
            subprocess.run(['wineserver', a], env=self.env, stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def start(self):
        # Background Wine processes inherit our stdio: start them first,
        # detached, so test programs are not held up (notes/toolchain.md).
        subprocess.run(['wineserver', '-p', '60'], env=self.env,
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        subprocess.run(['wine', 'cmd', '/c', 'exit'], env=self.env,
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)

    def ensure(self):
        """Creates the prefix and its snapshot once per build directory."""
        if os.path.exists(os.path.join(self.snap, 'system.reg')):
            return
        t0 = time.time()
        # A prefix Meson's setup made (its exe_wrapper sanity check) is
        # fresh: keep it; anything else without a snapshot is rebuilt.
        if not os.path.exists(os.path.join(self.path, 'system.reg')):
            shutil.rmtree(self.path, ignore_errors=True)
        os.makedirs(self.path, exist_ok=True)
        self.start()  # creates the prefix (wineboot) with detached stdio
        self.run(['wine', 'winecfg', '-v', 'win10'], timeout=60)
        self.stop()
        os.makedirs(self.snap)
        for f in ('system.reg', 'user.reg', 'userdef.reg'):
            shutil.copy2(os.path.join(self.path, f), self.snap)
        log(f'created prefix {self.path} in {time.time() - t0:.1f} s')

    def reset(self):
        """Back to the snapshot: registry restored, fixture files removed."""
        self.ensure()
        self.stop()
        for f in ('system.reg', 'user.reg', 'userdef.reg'):
            shutil.copy2(os.path.join(self.snap, f), self.path)
        created = os.path.join(self.top, 'created.json')
        if os.path.exists(created):
            with open(created) as fh:
                for p in sorted(json.load(fh), key=len, reverse=True):
                    if os.path.isdir(p) and not os.path.islink(p):
                        shutil.rmtree(p, ignore_errors=True)
                    elif os.path.lexists(p):
                        os.unlink(p)
            os.unlink(created)
        self.start()

    def unix_path(self, winpath, create_dirs=False, created=None):
        """C:\\A\\b -> <prefix>/drive_c/<existing case of A>/b."""
        p = winpath.replace('/', '\\')
        if len(p) < 3 or p[1:3] != ':\\' or p[0].upper() != 'C':
            raise Fail(f'{winpath}: only C:\\ paths can be loaded')
        cur = self.drive_c
        parts = [x for x in p[3:].split('\\') if x]
        for i, part in enumerate(parts):
            match = None
            if os.path.isdir(cur):
                for name in os.listdir(cur):
                    if name.lower() == part.lower():
                        match = name
                        break
            nxt = os.path.join(cur, match or part)
            last = i == len(parts) - 1
            if create_dirs and not last and not os.path.isdir(nxt):
                os.mkdir(nxt)
                if created is not None:
                    created.append(nxt)
            cur = nxt
        return cur


# ---- fixture -> Wine ----------------------------------------------------

def reg_key(path):
    root, _, rest = path.partition('\\')
    if root.upper() not in ROOTS:
        raise Fail(f'registry key {path}: unknown root')
    return ROOTS[root.upper()] + ('\\' + rest if rest else '')


def reg_escape(s):
    return s.replace('\\', '\\\\').replace('"', '\\"')


def hexbytes(b):
    return ','.join(f'{x:02x}' for x in b)


def typed(v, where):
    """A fixture value -> (REG type name, python data)."""
    if isinstance(v, bool):
        raise Fail(f'{where}: a boolean is not a registry value')
    if isinstance(v, str):
        return 'REG_SZ', v
    if isinstance(v, int):
        return 'REG_DWORD', v
    if isinstance(v, dict) and 'type' in v:
        t = v['type']
        if t == 'REG_BINARY':
            return t, bytes.fromhex(v.get('hex', v.get('data', '')))
        if t in ('REG_SZ', 'REG_EXPAND_SZ'):
            return t, v['data']
        if t == 'REG_MULTI_SZ':
            return t, list(v['data'])
        if t in ('REG_DWORD', 'REG_QWORD'):
            return t, int(v['data'])
        if t == 'REG_NONE':
            return t, bytes.fromhex(v.get('hex', ''))
    raise Fail(f'{where}: unsupported registry value {v!r}')


def reg_line(name, t, data):
    lhs = '@' if name == '' else f'"{reg_escape(name)}"'
    if t == 'REG_SZ':
        return f'{lhs}="{reg_escape(data)}"'
    if t == 'REG_DWORD':
        return f'{lhs}=dword:{data & 0xffffffff:08x}'
    if t == 'REG_QWORD':
        return f'{lhs}=hex(b):{hexbytes(struct.pack("<Q", data))}'
    if t == 'REG_EXPAND_SZ':
        return f'{lhs}=hex(2):{hexbytes((data + chr(0)).encode("utf-16-le"))}'
    if t == 'REG_MULTI_SZ':
        blob = ''.join(s + '\0' for s in data) + '\0'
        return f'{lhs}=hex(7):{hexbytes(blob.encode("utf-16-le"))}'
    if t == 'REG_BINARY':
        return f'{lhs}=hex:{hexbytes(data)}'
    if t == 'REG_NONE':
        return f'{lhs}=hex(0):{hexbytes(data)}'
    raise Fail(f'type {t}')


def write_reg(path, sections):
    """sections: list of (key, [lines]). Written UTF-16 with BOM: Wine's
    `reg import` takes hex(2)/hex(7) bytes raw only from Unicode files."""
    out = ['Windows Registry Editor Version 5.00', '']
    for key, lines in sections:
        out.append(f'[{key}]')
        out.extend(lines)
        out.append('')
    with open(path, 'wb') as fh:
        fh.write(b'\xff\xfe' + '\r\n'.join(out).encode('utf-16-le'))


def image_file(image_path):
    """The executable of a service command line: quotes and args removed,
    the usual environment variables expanded."""
    p = image_path.strip()
    if p.startswith('"'):
        p = p[1:].split('"', 1)[0]
    else:
        low = p.lower()
        i = low.find('.exe')
        if i >= 0:
            p = p[:i + 4]
    for var, val in (('%systemroot%', 'C:\\windows'), ('%windir%', 'C:\\windows'),
                     ('%programfiles%', 'C:\\Program Files'),
                     ('%programdata%', 'C:\\ProgramData')):
        if p.lower().startswith(var):
            p = val + p[len(var):]
    return p


def set_version(path, version):
    """Rewrites the fixed file version of a copy of svc.exe."""
    parts = [int(x) for x in version.split('.')]
    if len(parts) != 4 or any(not 0 <= x <= 0xffff for x in parts):
        raise Fail(f'{path}: bad version {version}')
    with open(path, 'r+b') as fh:
        blob = fh.read()
        i = blob.find(struct.pack('<I', 0xFEEF04BD))
        if i < 0:
            raise Fail(f'{path}: no VS_FIXEDFILEINFO to patch')
        ms = parts[0] << 16 | parts[1]
        ls = parts[2] << 16 | parts[3]
        fh.seek(i + 8)
        fh.write(struct.pack('<IIII', ms, ls, ms, ls))


def load(prefix, fixture_path, svc_exe):
    """Resets the prefix and writes the fixture into it. Wine sometimes
    stalls while setting a device up (seen once in three quiet CI runs: a
    `wine cmd /c` that never returned, a service that stayed out of its
    state for 30 s); that is retried once on a fresh wineserver. What is
    asserted about mdediag is never retried."""
    try:
        return load_once(prefix, fixture_path, svc_exe)
    except (WineStalled, subprocess.TimeoutExpired) as e:
        log(f'Wine stalled while loading {os.path.basename(fixture_path)} '
            f'({str(e)[:300]}): once more on a fresh wineserver')
        prefix.stop()
        return load_once(prefix, fixture_path, svc_exe)


def load_once(prefix, fixture_path, svc_exe):
    """Resets the prefix and writes the fixture into it."""
    with open(fixture_path) as fh:
        fx = json.load(fh)
    prefix.reset()
    t0 = time.time()
    created = []
    ours = []  # files that are copies of svc.exe

    def save_created():
        with open(os.path.join(prefix.top, 'created.json'), 'w') as fh:
            json.dump(created, fh)

    try:
        # Files first: a service image path may also be a versioned file.
        services = fx.get('services', {}) or {}
        images = {}
        for name, s in services.items():
            img = s.get('image_path') or f'C:\\mdediag-test\\{name}.exe'
            f = prefix.unix_path(image_file(img), create_dirs=True, created=created)
            if os.path.exists(f):
                # a Windows binary (svchost.exe hosts WinHttpAutoProxySvc):
                # the service runs svc.exe from a path of its own, and the
                # fixture returned (the fake twin's) says that path too
                img = f'C:\\mdediag-test\\{name}.exe'
                s['image_path'] = img
                f = prefix.unix_path(img, create_dirs=True, created=created)
            images[name] = img
            shutil.copy2(svc_exe, f)
            created.append(f)
            ours.append(f)
        for wpath, spec in (fx.get('files', {}) or {}).items():
            spec = spec or {}
            f = prefix.unix_path(wpath, create_dirs=True, created=created)
            if spec.get('type') == 'dir':
                if not os.path.isdir(f):
                    os.makedirs(f)
                    created.append(f)
                continue
            if not os.path.exists(f):
                if 'version' in spec:
                    shutil.copy2(svc_exe, f)
                else:
                    with open(f, 'wb') as fh:
                        fh.write(spec.get('content', '').encode('utf-8'))
                created.append(f)
                ours.append(f)
            elif f not in ours:
                raise Fail(f'file {wpath} exists in the Wine prefix already')
            if 'version' in spec:
                set_version(f, spec['version'])
        save_created()

        # Services: created through the SCM (its database is only read from
        # the registry at boot), then the registry, then started.
        bat = ['@echo off']
        for name, s in services.items():
            st = int(s.get('start_type', 3))
            # sc parses its command line like CommandLineToArgvW: \" is a quote.
            # In a .bat, %% is a literal % (ImagePath keeps %ProgramFiles%).
            binpath = images[name].replace('"', '\\"').replace('%', '%%')
            bat.append(f'sc create "{name}" binPath= "{binpath}" '
                       f'start= {START_NAMES.get(st, "demand")} >nul')
        sections = []
        reg = fx.get('registry', {}) or {}
        for key, values in reg.items():
            lines = []
            if key.lower() == KEY_CURRENTVERSION.lower():
                given = {n.lower() for n in values}
                lines += [f'"{n}"=-' for n in WINE_CURRENTVERSION
                          if n.lower() not in given]
            for name, v in (values or {}).items():
                t, data = typed(v, f'registry {key}\\{name}')
                lines.append(reg_line(name, t, data))
            sections.append((reg_key(key), lines))
        # Test-only: raw .reg lines for data a fixture cannot express
        # (strings without terminator, DWORDs of odd size, huge values).
        for key, raws in (fx.get('x-raw-reg', {}) or {}).items():
            lines = []
            for raw in raws:
                if isinstance(raw, dict):
                    lines.append(f'"{raw["name"]}"=hex:' + ','.join(['00'] * raw['zero_bytes']))
                else:
                    lines.append(raw)
            sections.append((reg_key(key), lines))
        for name, s in services.items():
            state = int(s.get('state', 1))
            if state not in (1, 4):
                sections.append((reg_key(f'HKLM\\SYSTEM\\CurrentControlSet\\Services\\{name}'),
                                 [f'"MdediagTestState"=dword:{state:08x}']))
        regfile = os.path.join(prefix.top, 'fixture.reg')
        write_reg(regfile, sections)
        # /reg:64: `wine cmd` is the 32-bit cmd in a WoW64 prefix (Debian's
        # wine32 installed), whose reg.exe would write HKLM\SOFTWARE to the
        # 32-bit view (WOW6432Node) that the 64-bit mdediag.exe never reads
        bat.append(f'reg import "Z:{regfile.replace("/", chr(92))}" /reg:64 >nul 2>nul')
        bat.append('if errorlevel 1 echo reg-import-failed')
        for name, s in services.items():
            if int(s.get('state', 1)) != 1:
                bat.append(f'sc start "{name}" >nul')
        batfile = os.path.join(prefix.top, 'fixture.bat')
        with open(batfile, 'w') as fh:
            fh.write('\r\n'.join(bat) + '\r\n')
        r = prefix.run(['wine', 'cmd', '/c', 'Z:' + batfile.replace('/', '\\')],
                       check=False, input=b'')
        if b'reg-import-failed' in r.stdout:
            raise Fail('reg import failed')
        # Services settle asynchronously (svc.c moves to its state 0.3 s
        # after RUNNING): wait until the SCM reports what the fixture says.
        # On a loaded machine Wine's StartService can time out (1053) before
        # the service process runs: a service still STOPPED is started again.
        want = {n: int(s.get('state', 1)) for n, s in services.items()}
        started = {n: time.time() for n in want}
        seen = {}
        deadline = time.time() + 30
        while want:
            for name in list(want):
                q = prefix.run(['wine', 'sc', 'query', name], check=False)
                state = None
                for line in q.stdout.decode(errors='replace').splitlines():
                    if 'STATE' in line and ':' in line:
                        state = line.split(':')[1].split()[0]
                seen[name] = state if state else \
                    f'no STATE (exit {q.returncode}): {q.stdout.decode(errors="replace")[-120:]!r}'
                if state == str(want[name]):
                    del want[name]
                elif state == '1' and time.time() - started[name] > 3:
                    log(f'service {name} still STOPPED: starting it again')
                    prefix.run(['wine', 'sc', 'start', name], check=False)
                    started[name] = time.time()
            if want and time.time() > deadline:
                raise WineStalled(f'services did not reach their states: {want}; '
                                  f'last seen: {seen}')
            if want:
                time.sleep(0.2)
    finally:
        save_created()
    log(f'loaded {os.path.basename(fixture_path)} in {time.time() - t0:.1f} s')
    return fx


# ---- the tests ----------------------------------------------------------

def probe_expectations(fx):
    """(query line, expected answer subset) for everything in a fixture,
    plus absent things."""
    cases = []
    for key, values in (fx.get('registry', {}) or {}).items():
        for name, v in (values or {}).items():
            t, data = typed(v, name)
            exp = {'status': 'OK', 'type': t}
            if t in ('REG_BINARY', 'REG_NONE'):
                exp['hex'] = data.hex()
            else:
                exp['data'] = data
            cases.append((f'reg\t{key}\t{name}', exp))
            # Keys are case-insensitive, as on Windows.
            cases.append((f'reg\t{key.upper()}\t{name}', exp))
        cases.append((f'values\t{key}', {'status': 'OK', 'names_include': list(values)}))
        cases.append((f'reg\t{key}\tMdediagNoSuchValue', {'status': 'NOT_FOUND', 'code': 2}))
        parent, _, leaf = key.rpartition('\\')
        cases.append((f'subkeys\t{parent}', {'status': 'OK', 'names_include': [leaf]}))
    for name, s in (fx.get('services', {}) or {}).items():
        exp = {'status': 'OK', 'state': int(s.get('state', 1)),
               'start_type': int(s.get('start_type', 3))}
        if s.get('image_path'):
            exp['image_path'] = s['image_path']
        cases.append((f'svc\t{name}', exp))
    for path, spec in (fx.get('files', {}) or {}).items():
        spec = spec or {}
        isdir = spec.get('type') == 'dir'
        cases.append((f'exists\t{path}', {'status': 'OK', 'is_dir': int(isdir)}))
        if 'version' in spec:
            cases.append((f'version\t{path}', {'status': 'OK', 'version': spec['version']}))
        if 'content' in spec and 'version' not in spec:
            text = spec['content'].encode('utf-8')
            cases.append((f'tail\t{path}\t1048576', {'status': 'OK', 'len': len(text),
                                                     'size': len(text), 'text': spec['content']}))
            cases.append((f'tail\t{path}\t5', {'status': 'OK', 'len': min(5, len(text)),
                                                'text': text[-5:].decode('utf-8', 'replace')}))
        parent, _, leaf = path.rpartition('\\')
        cases.append((f'dir\t{parent}', {'status': 'OK', 'names_include': [leaf]}))
    cases += [
        ('reg\tHKLM\\SOFTWARE\\MdediagNoSuchKey\tX', {'status': 'NOT_FOUND', 'code': 2}),
        ('reg\tHKXX\\SOFTWARE\tX', {'status': 'BAD_DATA'}),
        ('subkeys\tHKLM\\SOFTWARE\\MdediagNoSuchKey', {'status': 'NOT_FOUND', 'code': 2}),
        ('svc\tMdediagNoSuchService', {'status': 'NOT_FOUND', 'code': 1060}),
        ('exists\tC:\\MdediagNoSuchDir\\x.exe', {'status': 'NOT_FOUND', 'code': 2}),
        ('version\tC:\\MdediagNoSuchDir\\x.exe', {'status': 'NOT_FOUND', 'code': 2}),
        ('version\tC:\\windows', {'status': 'BAD_DATA'}),
        ('dir\tC:\\MdediagNoSuchDir', {'status': 'NOT_FOUND', 'code': 2}),
        ('tail\tC:\\MdediagNoSuchDir\\x.log\t100', {'status': 'NOT_FOUND', 'code': 2}),
        ('tail\tC:\\windows\t100', {'status': 'BAD_DATA'}),
        # Wine stubs the Event Log API: the layer must say so, not crash.
        ('events\tApplication\tWDATPOnboarding\t0\t0\t10', {'status': 'UNSUPPORTED'}),
        ('events\tMicrosoft-Windows-SENSE/Operational\t-\t0\t0\t10', {'status': 'UNSUPPORTED'}),
        ('resolve\tlocalhost', {'status': 'OK', 'addresses_include': ['127.0.0.1']}),
        ('hostname', {'status': 'OK'}),
        ('now', {'status': 'OK'}),
        # Wine takes the time zone from the host: the same offset as here.
        ('tz', {'status': 'OK', 'offset_s': time.localtime().tm_gmtoff}),
    ]
    return cases


def check_answer(q, exp, got):
    bad = []
    for k, v in exp.items():
        if k.endswith('_include'):
            have = got.get(k[:-len('_include')])
            if not isinstance(have, list) or any(x not in have for x in v):
                bad.append(f'{k[:-8]}: {have!r} lacks {v!r}')
        elif got.get(k) != v:
            bad.append(f'{k}: got {got.get(k)!r}, want {v!r}')
    if got.get('status') not in ('OK', None) and not got.get('reason'):
        bad.append('failure without a reason')
    return [f'{q!r}: {b} ({got.get("reason", "")})' for b in bad]


# PAC files for the autoproxy questions: WinHTTP (Wine's here) downloads
# them from this loopback server; "{pac}" in a question is its base URL.
PAC_FILES = {
    '/wpad.dat': b"function FindProxyForURL(url, host) {\n"
                 b"  if (dnsDomainIs(host, '.microsoft.com')) return 'PROXY proxy.contoso.local:8080';\n"
                 b"  if (isPlainHostName(host)) return 'DIRECT';\n"
                 b"  if (shExpMatch(url, 'http:*')) return 'PROXY plain.contoso.local:80';\n"
                 b"  return 'PROXY other.contoso.local:3128';\n}\n",
    # answered after STALL_S: asked with a shorter bound, the platform
    # must give up on time (the session's own 5 s would wait it out)
    '/stall.dat': b"function FindProxyForURL(url, host) { return 'PROXY stall.contoso.local:1'; }\n",
}
STALL_S = 4


def pac_server():
    """Starts the PAC server on 127.0.0.1 (a daemon thread); its base URL."""
    import http.server
    import threading

    class H(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path.split('?')[0] == '/stall.dat':
                time.sleep(STALL_S)
            body = PAC_FILES.get(self.path.split('?')[0])
            self.send_response(200 if body is not None else 404)
            self.send_header('Content-Type', 'application/x-ns-proxy-autoconfig')
            self.send_header('Content-Length', str(len(body or b'')))
            self.end_headers()
            self.wfile.write(body or b'')

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return f'http://127.0.0.1:{srv.server_address[1]}'


def cmd_probe(args, prefix):
    fx = load(prefix, args.fixture, args.svc)
    cases = probe_expectations(fx)
    extra = []
    if args.extra:
        with open(args.extra) as fh:
            extra = [(c['q'], c['expect']) for c in json.load(fh)]
    if any('{pac}' in q for q, _ in extra):
        base = pac_server()
        extra = [(q.replace('{pac}', base), e) for q, e in extra]
    cases += extra
    stdin = ''.join(q + '\n' for q, _ in cases).encode()
    r = prefix.run(['wine', args.probe], check=False, input=stdin)
    lines = r.stdout.decode(errors='replace').splitlines()
    if len(lines) != len(cases):
        raise Fail(f'probe answered {len(lines)} of {len(cases)} questions '
                   f'(exit {r.returncode}): {r.stderr.decode(errors="replace")[-300:]}')
    # TAP, one line per question (scripts/test.sh counts them).
    print(f'1..{len(cases)}')
    nbad = 0
    for i, ((q, exp), line) in enumerate(zip(cases, lines), 1):
        got = json.loads(line)
        if got.get('q') != q:
            bad = [f'answer out of order: {got.get("q")!r} for {q!r}']
        else:
            bad = check_answer(q, exp, got)
        label = q.replace('\t', ' ')
        print(f'{"not ok" if bad else "ok"} {i} - {label}')
        for b in bad:
            print(f'# FAIL {b}')
        nbad += bool(bad)
    print(f'# {len(cases) - nbad}/{len(cases)} platform answers as expected')
    return 1 if nbad else 0


def dll_imports(exe):
    r = subprocess.run(['x86_64-w64-mingw32-objdump', '-p', exe], capture_output=True,
                       text=True, check=True)
    return sorted({l.split('DLL Name:')[1].strip().lower()
                   for l in r.stdout.splitlines() if 'DLL Name:' in l})


def cmd_imports(args, prefix):
    rc = 0
    for exe in args.exes:
        dlls = dll_imports(exe)
        bad = [d for d in dlls if d not in SYSTEM_DLLS and not d.startswith(SYSTEM_DLL_PREFIXES)]
        print(f'{os.path.basename(exe)}: {os.path.getsize(exe)} bytes, imports {", ".join(dlls)}')
        if bad:
            print(f'FAIL {exe} imports non-system DLLs: {", ".join(bad)}')
            rc = 1
    return rc


def findings_of(report):
    """id -> [(severity, evidence)] of a JSON report."""
    out = {}
    for f in report.get('findings', []):
        out.setdefault(f['id'], []).append((f.get('severity'), f.get('evidence', {})))
    return out


STATUS_RE = re.compile(r'^(ok|not-found|access-denied|transient|timeout|bad-data|unsupported)'
                       r' \(Win32 error (\d+)\)')
CODE_RE = re.compile(r'(?:error|FAILED)\s+(\d+)')


def same_evidence(a, b):
    """Equal, except that the human reason of a failed primitive (which
    each platform words its own way) is compared by status and Win32 code
    only: "not-found (Win32 error 2): <reason>"."""
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_evidence(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_evidence(a[k], b[k]) for k in a)
    if isinstance(a, str) and isinstance(b, str) and a != b:
        ma, mb = STATUS_RE.match(a), STATUS_RE.match(b)
        if ma or mb:
            return bool(ma and mb) and ma.groups() == mb.groups()
        ca, cb = CODE_RE.findall(a), CODE_RE.findall(b)
        return bool(ca) and ca == cb
    return a == b


# The machine's certificate stores trust.roots lists (diag/check_trust.c).
CERT_STORES = [
    'HKLM\\SOFTWARE\\Microsoft\\SystemCertificates\\ROOT\\Certificates',
    'HKLM\\SOFTWARE\\Microsoft\\SystemCertificates\\AuthRoot\\Certificates',
    'HKLM\\SOFTWARE\\Policies\\Microsoft\\SystemCertificates\\Root\\Certificates',
    'HKLM\\SOFTWARE\\Microsoft\\EnterpriseCertificates\\Root\\Certificates',
]


def prefix_facts(prefix, probe):
    """What the loaded prefix has that the fixture cannot set, as fixture
    members: (certificate keys, host name).
    - The certificate keys its stores list, as registry keys: Wine's
      crypt32 copies the host's trusted roots into the machine's Root
      store when the prefix is made, so the prefix holds roots the fixture
      does not name; the twin must hold them too.
    - The host name Win32 gives (the Linux machine's): a fixture's host
      name is not loaded into Wine, and a check that looks for this
      computer's own file by name (onboarding.deployment-tool) must look
      for the same name on both."""
    qs = ''.join(f'subkeys\t{k}\n' for k in CERT_STORES).encode() + b'hostname\n'
    r = prefix.run(['wine', probe], check=False, input=qs)
    keys, hostname = {}, None
    for line in r.stdout.decode(errors='replace').splitlines():
        got = json.loads(line)
        if got.get('status') != 'OK':
            continue
        if got.get('q') == 'hostname':
            hostname = got.get('hostname')
            continue
        store = got.get('q', '').split('\t', 1)[-1]
        for n in got.get('names') or []:
            keys[f'{store}\\{n}'] = {}
    return keys, hostname


def fake_twin(fx, path, cert_keys=None, hostname=None):
    """The fixture the fake platform diagnoses for comparison: what Wine
    cannot model is made unavailable the way the real platform reports it
    (event logs: unsupported), the clock is the real one, the certificate
    stores hold what the prefix's hold (cert_keys), and the host name is
    the prefix's (prefix_facts)."""
    twin = dict(fx)
    if hostname:
        twin['hostname'] = hostname
    if cert_keys:
        reg = dict(twin.get('registry') or {})
        have = {k.lower() for k in reg}
        for k, v in cert_keys.items():
            if k.lower() not in have:
                reg[k] = v
        twin['registry'] = reg
    twin.pop('events', None)
    twin['faults'] = [{'primitive': 'events_query', 'target': '*', 'error': 'unsupported'}]
    twin['clock'] = time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())
    with open(path, 'w') as fh:
        json.dump(twin, fh, indent=1)


def merge(base, over):
    """The harness's overrides (docs/scenarios.md): objects merge member by
    member (names ignoring case), null deletes, anything else replaces."""
    if not isinstance(base, dict) or not isinstance(over, dict):
        return over
    out = dict(base)
    for k, v in over.items():
        match = next((b for b in out if b.lower() == k.lower()), None)
        if v is None:
            if match is not None:
                del out[match]
        elif match is not None:
            out[match] = merge(out[match], v)
        else:
            out[k] = v
    return out


def device_of(path):
    """A device fixture, or a scenario.json's fixture with its overrides."""
    with open(path) as fh:
        j = json.load(fh)
    if isinstance(j, dict) and 'branch' in j and 'fixture' in j:
        with open(os.path.join(os.path.dirname(path), j['fixture'])) as fh:
            j = merge(json.load(fh), j.get('overrides') or {})
    return j


def cmd_list_scenarios(args):
    """Scenarios whose device differs from every device fixture and from
    every earlier scenario's (the network-only ones add nothing here)."""
    def key(fx):
        fx = {k: v for k, v in fx.items() if k not in ('dns', 'description')}
        return json.dumps(fx, sort_keys=True)
    seen = set()
    for f in sorted(os.listdir(args.devices)):
        if f.endswith('.json') and f != 'expected-verdicts.json':
            seen.add(key(device_of(os.path.join(args.devices, f))))
    for name in sorted(os.listdir(args.scenarios)):
        sj = os.path.join(args.scenarios, name, 'scenario.json')
        if not os.path.exists(sj):
            continue
        k = key(device_of(sj))
        if k not in seen:
            seen.add(k)
            print(name)
    return 0


def compare_reports(win, win_rc, fake, fake_rc, ignore=None):
    """Differences between the win32 run's report and the fake run's:
    finding IDs, severities, evidence (same_evidence), verdict, exit status.
    Prints each as a FAIL line and returns them."""
    fw, ff = findings_of(win), findings_of(fake)
    ignore = set(ignore or [])
    bad = []
    for fid in sorted(set(fw) | set(ff)):
        if fid in ignore:
            continue
        a, b = fw.get(fid), ff.get(fid)
        if a is None or b is None:
            bad.append(f'{fid}: only in the {"fake" if a is None else "win32"} run')
            continue
        if [s for s, _ in a] != [s for s, _ in b]:
            bad.append(f'{fid}: severities win32 {[s for s, _ in a]} fake {[s for s, _ in b]}')
        for (_, ea), (_, eb) in zip(a, b):
            for k in sorted(set(ea) | set(eb)):
                if k not in ea or k not in eb:
                    bad.append(f'{fid}: evidence {k} only in the {"fake" if k not in ea else "win32"} run')
                elif not same_evidence(ea[k], eb[k]):
                    bad.append(f'{fid}: evidence {k}: win32 {ea[k]!r} fake {eb[k]!r}')
    vw, vf = win.get('verdict', {}).get('id'), fake.get('verdict', {}).get('id')
    if vw != vf:
        bad.append(f'verdict: win32 {vw} fake {vf}')
    if win_rc != fake_rc:
        bad.append(f'exit status: win32 {win_rc} fake {fake_rc}')
    for b in bad:
        print('FAIL', b)
    return bad


def cmd_collect(args, prefix):
    """Collect on the Wine "device", replay the collected fixture natively:
    the replay must diagnose what the live run diagnosed."""
    if not os.path.exists(args.native):
        print(f'skipped: no native mdediag at {args.native}')
        return SKIP
    with open(args.fixture) as fh:
        fx = json.load(fh)
    if fx.get('faults'):
        print(f'{os.path.basename(args.fixture)}: skipped: fault rules cannot be loaded into Wine')
        return SKIP
    load(prefix, args.fixture, args.svc)
    opts = ['--no-network'] + (args.mdediag_args or [])
    r_col = prefix.run_mdediag([args.exe, 'collect'] + opts)
    collected = os.path.join(prefix.top, 'collected.json')
    with open(collected, 'wb') as fh:
        fh.write(r_col.stdout)
    if r_col.returncode != 0:
        raise Fail(f'mdediag.exe collect: exit {r_col.returncode}: {r_col.stderr[-300:]!r}')
    r_live = prefix.run_mdediag([args.exe, '--format', 'json'] + opts)
    r_replay = subprocess.run([args.native, '--fixture', collected, '--format', 'json'] + opts,
                              capture_output=True, timeout=120)
    try:
        live, replay = json.loads(r_live.stdout), json.loads(r_replay.stdout)
    except ValueError as e:
        raise Fail(f'not JSON: {e}; replay stderr {r_replay.stderr[-300:]!r}')
    bad = compare_reports(live, r_live.returncode, replay, r_replay.returncode)
    print(f'{os.path.basename(args.fixture)}: collected {len(r_col.stdout)} bytes, live verdict '
          f'{live.get("verdict", {}).get("id")}, replay {replay.get("verdict", {}).get("id")}, '
          f'{len(bad)} differences')
    return 1 if bad else 0


# Scenarios Wine 8 cannot run right, each with the reason (todo_wine: a
# listed scenario that starts passing fails the test, so the list only
# shrinks).
TODO_WINE_SCENARIOS = {
    # empty: the RST-during-handshake gap (an RST reads as an orderly close
    # under Wine) closed when the probe began to classify a handshake dropped
    # without a TLS alert as "reset" on every platform.
}


def cmd_scenarios(args, prefix):
    """The scenario suite (harness) with mdediag.exe under Wine."""
    if not os.path.exists(args.harness):
        print(f'skipped: no harness at {args.harness}')
        return SKIP
    prefix.reset()
    lst = subprocess.run([args.harness, '--list'], capture_output=True, text=True)
    names = [l.split()[0] for l in lst.stdout.splitlines() if l.strip()]
    if not names:
        raise Fail(f'harness --list gave no scenarios: {lst.stderr[-300:]}')
    # --slow: a scenario's own deadline (the blackholed one's 2 s) is too
    # short for the healthy destinations of a Wine process beside it
    run = [args.harness, '--wine', '--diag', args.exe, '--timeout', '60', '--slow', '5']
    todo = [n for n in names if n in TODO_WINE_SCENARIOS]
    rest = [n for n in names if n not in TODO_WINE_SCENARIOS]
    t0 = time.time()
    r = subprocess.run(run + rest, env=prefix.env, capture_output=True, text=True, timeout=900)
    lines = r.stdout.splitlines()
    for l in lines:
        if l.startswith('FAIL'):
            print(l)
    summary = [l for l in lines if ' scenarios: ' in l]
    print(f'under Wine: {summary[-1] if summary else "no summary"} ({time.time() - t0:.0f} s)')
    rc = 0 if r.returncode == 0 else 1
    for name in todo:
        t = subprocess.run(run + [name], env=prefix.env, capture_output=True, text=True, timeout=300)
        if t.returncode == 0:
            print(f'FAIL todo_wine {name} passes now: remove it from TODO_WINE_SCENARIOS')
            rc = 1
        else:
            print(f'todo_wine {name}: fails as expected ({TODO_WINE_SCENARIOS[name]})')
    return rc


def cmd_collect_net(args, prefix):
    """Collect on the Wine "device" against the mock cloud, replay natively:
    the harness runs each scenario live with mdediag.exe under Wine, then
    `mdediag.exe collect` with the same options, stops the mock cloud, and
    replays the collected file with the native mdediag (no network options):
    same findings and verdict (harness --collect-replay, docs/collect.md)."""
    for tool in (args.harness, args.native):
        if not os.path.exists(tool):
            print(f'skipped: no {tool}')
            return SKIP
    prefix.reset()
    # Two probe runs (live, collect) are compared: a deadline generous
    # enough that a loaded machine running Wine does not time out in one.
    run = [args.harness, '--wine', '--diag', args.exe, '--timeout', '200',
           '--net-timeout', '30', '--slow', '8', '--collect-replay', '--replay-diag', args.native]
    r = subprocess.run(run + args.names, env=prefix.env, capture_output=True, text=True,
                       timeout=600)
    for l in r.stdout.splitlines():
        if l.startswith(('PASS', 'FAIL')):
            print(l)
    if r.returncode not in (0, 1) or not any(l.startswith('PASS') for l in r.stdout.splitlines()):
        print(r.stderr[-500:])
    return 0 if r.returncode == 0 else 1


def cmd_conform(args, prefix):
    if not os.path.exists(args.native):
        print(f'skipped: no native mdediag at {args.native} (build it, or set MDEDIAG_NATIVE)')
        return SKIP
    fx = device_of(args.fixture)
    if fx is not None and args.fixture.endswith('scenario.json'):
        merged = os.path.join(prefix.top, 'scenario-device.json')
        os.makedirs(prefix.top, exist_ok=True)
        with open(merged, 'w') as fh:
            json.dump(fx, fh, indent=1)
        args.label = os.path.basename(os.path.dirname(args.fixture))
        args.fixture = merged
    if fx.get('faults'):
        # Fault rules are the fake platform's; Wine has no way to deny.
        print(f'{os.path.basename(args.fixture)}: skipped: fault rules cannot be loaded into Wine')
        return SKIP
    if not any(k.lower() == CURRENT_VERSION.lower() for k in fx.get('registry', {})):
        # A device whose OS facts are missing: Wine's registry always has
        # them (they can be changed, not removed), so only the fake can.
        print(f'{os.path.basename(args.fixture)}: skipped: Wine cannot remove {CURRENT_VERSION}')
        return SKIP
    if fx.get('events'):
        print(f'note: {len(fx["events"])} events not compared (Wine stubs the Event Log API)')
    # the device as loaded (a service image Wine already has moved aside)
    fx = load(prefix, args.fixture, args.svc)
    twin = os.path.join(prefix.top, 'fake-twin.json')
    fake_twin(fx, twin, *prefix_facts(prefix, args.probe))
    opts = ['--format', 'json'] + (args.mdediag_args or [])
    r_win = prefix.run_mdediag([args.exe] + opts)
    try:
        json.loads(r_win.stdout)
    except ValueError:
        # Seen once in a CI run beside the sanitizer suite: exit 1, 129
        # bytes that were not the report, nothing on stderr, and the same
        # fixture fine before and after. Its bytes are logged for the
        # cause; the comparison is then made on a second run.
        log(f'mdediag.exe gave {len(r_win.stdout)} bytes that are not JSON (exit '
            f'{r_win.returncode}): {r_win.stdout[:200]!r}, stderr {r_win.stderr[:200]!r}: once more')
        r_win = prefix.run_mdediag([args.exe] + opts)
    r_fake = subprocess.run([args.native, '--fixture', twin] + opts,
                            capture_output=True, timeout=120)
    try:
        win = json.loads(r_win.stdout)
        fake = json.loads(r_fake.stdout)
    except ValueError as e:
        raise Fail(f'not JSON: {e}; win32 exit {r_win.returncode}, '
                   f'{len(r_win.stdout)} bytes out ({r_win.stdout[:120]!r}), stderr {r_win.stderr[-300:]!r}; '
                   f'fake exit {r_fake.returncode}, stderr {r_fake.stderr[-300:]!r}')
    with open(os.path.join(prefix.top, 'win32-report.json'), 'wb') as fh:
        fh.write(r_win.stdout)
    bad = compare_reports(win, r_win.returncode, fake, r_fake.returncode, args.ignore)
    print(f'{getattr(args, "label", None) or os.path.basename(args.fixture)}: '
          f'{len(findings_of(win))} finding IDs, '
          f'verdict {win.get("verdict", {}).get("id")}, {len(bad)} differences')
    return 1 if bad else 0


def cmd_conform_all(args, prefix):
    """`conform` for each fixture: see each_fixture."""
    return each_fixture(args, 'conform')


def cmd_collect_all(args, prefix):
    """`collect` for each fixture: see each_fixture."""
    return each_fixture(args, 'collect')


def each_fixture(args, sub):
    """`sub` (conform or collect) for each fixture, args.jobs at a time in
    prefixes of their own, each in a child process of this script (its
    output kept apart), reported as TAP in the order given. A prefix is
    reset before each fixture as `sub` always does; what the jobs save is
    the wall time of one prefix doing them one after another."""
    import concurrent.futures
    import queue
    if not os.path.exists(args.native):
        print(f'1..0 # SKIP no native mdediag at {args.native}')
        return SKIP
    slots = queue.Queue()
    for k in range(max(1, args.jobs)):
        slots.put('wine' if k == 0 else f'wine-{k + 1}')

    def one(fixture):
        name = slots.get()
        try:
            cmd = [sys.executable, os.path.abspath(__file__), '--build-win', args.build_win,
                   '--prefix-name', name, sub, '--native', args.native]
            for i in getattr(args, 'ignore', None) or []:
                cmd += ['--ignore', i]
            cmd += [fixture, '--'] + (args.mdediag_args or [])
            t0 = time.time()
            try:
                r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, timeout=300)
                return r.returncode, r.stdout.decode(errors='replace'), time.time() - t0
            except subprocess.TimeoutExpired as e:
                out = (e.stdout or b'').decode(errors='replace')
                return 1, out + f'\n{sub} did not end within 300 s', time.time() - t0
        finally:
            slots.put(name)

    def label(f):
        return os.path.basename(os.path.dirname(f)) if f.endswith('scenario.json') \
            else os.path.basename(f)[:-len('.json')]

    print(f'1..{len(args.fixtures)}', flush=True)
    bad = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(one, f) for f in args.fixtures]
        for n, (f, fut) in enumerate(zip(args.fixtures, futures), 1):
            rc, out, secs = fut.result()
            lines = [l for l in out.splitlines() if l.strip()]
            last = lines[-1] if lines else '(no output)'
            if rc == 0:
                print(f'ok {n} - {label(f)}: {last} ({secs:.1f} s)')
            elif rc == SKIP:
                print(f'ok {n} - {label(f)} # SKIP {last}')
            else:
                bad += 1
                print(f'not ok {n} - {label(f)}: exit {rc} ({secs:.1f} s)')
                for l in lines[-40:]:
                    print(f'# {l}')
            sys.stdout.flush()
    return 1 if bad else 0


UNITS_NAME = '\u8a3a\u65ad-\u00e9.json'  # 診断-é.json, also in win32_units.c
SCRATCH_WIN = 'C:\\mdediag-units'


def scratch(prefix):
    d = os.path.join(prefix.drive_c, 'mdediag-units')
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def utf8_env(prefix):
    # Wine decodes its Unix command line with the Unix locale: UTF-8 here,
    # while the Windows ANSI code page stays the default (1252), as on a
    # Windows whose manifest's activeCodePage is ignored (before 10 1903).
    return dict(prefix.env, LANG='C.UTF-8', LC_ALL='C.UTF-8')


def cmd_units(args, prefix):
    prefix.reset()
    d = scratch(prefix)
    try:
        r = subprocess.run(['wine', args.units, UNITS_NAME, SCRATCH_WIN],
                           env=utf8_env(prefix), capture_output=True, timeout=60)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    sys.stdout.write(r.stdout.decode(errors='replace'))
    if r.returncode:
        print(f'# exit {r.returncode}: {r.stderr.decode(errors="replace")[-300:]}')
    return 1 if r.returncode else 0


def cmd_fixture_path(args, prefix):
    """mdediag.exe --fixture and --output with a non-ASCII path: the same
    report as the native build gives for the same fixture."""
    if not os.path.exists(args.native):
        print(f'skipped: no native mdediag at {args.native}')
        return SKIP
    prefix.reset()
    d = scratch(prefix)
    try:
        shutil.copy2(args.fixture, os.path.join(d, UNITS_NAME))
        win_fx = SCRATCH_WIN + '\\' + UNITS_NAME
        win_out = SCRATCH_WIN + '\\out-' + UNITS_NAME
        opts = ['--format', 'json', '--no-network']
        r_win = subprocess.run(['wine', args.exe, '--fixture', win_fx, '--output', win_out] + opts,
                               env=utf8_env(prefix), capture_output=True, timeout=120)
        r_nat = subprocess.run([args.native, '--fixture', args.fixture] + opts,
                               capture_output=True, timeout=120)
        out = os.path.join(d, 'out-' + UNITS_NAME)
        if not os.path.exists(out):
            raise Fail(f'no report at {win_out} (exit {r_win.returncode}): '
                       f'{r_win.stderr.decode(errors="replace")[-300:]}')
        with open(out, 'rb') as fh:
            win = json.loads(fh.read())
        nat = json.loads(r_nat.stdout)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    bad = compare_reports(win, r_win.returncode, nat, r_nat.returncode, args.ignore or [])
    print(f'{UNITS_NAME}: exit {r_win.returncode}, {len(findings_of(win))} finding IDs, '
          f'{len(bad)} differences from the native run')
    return 1 if bad else 0


def cmd_load(args, prefix):
    load(prefix, args.fixture, args.svc)
    print(f'WINEPREFIX={prefix.path}')
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--build-win', required=True,
                    help='the MinGW cross build directory ($MDEDIAG_BUILD_WIN wins)')
    ap.add_argument('--prefix-name', default='wine',
                    help='the folder of BUILD_WIN that holds the prefix (default wine)')
    sub = ap.add_subparsers(dest='cmd', required=True)
    p = sub.add_parser('load')
    p.add_argument('fixture')
    p = sub.add_parser('probe')
    p.add_argument('fixture')
    p.add_argument('--extra', help='JSON list of {"q", "expect"} cases')
    p = sub.add_parser('imports')
    p.add_argument('exes', nargs='+')
    p = sub.add_parser('list-scenarios')
    p.add_argument('devices')
    p.add_argument('scenarios')
    p = sub.add_parser('scenarios')
    p.add_argument('--harness', required=True, help='the native harness')
    p = sub.add_parser('collect-net')
    p.add_argument('--harness', required=True, help='the native harness')
    p.add_argument('--native', help='the native mdediag (default $MDEDIAG_NATIVE)')
    p.add_argument('names', nargs='+', help='network scenarios')
    p = sub.add_parser('collect')
    p.add_argument('--native', help='the native mdediag (default $MDEDIAG_NATIVE)')
    p.add_argument('fixture')
    p.add_argument('mdediag_args', nargs='*')
    p = sub.add_parser('units')
    p = sub.add_parser('fixture-path')
    p.add_argument('--native', help='the native mdediag (default $MDEDIAG_NATIVE)')
    p.add_argument('--ignore', action='append', help='finding ID not compared')
    p.add_argument('fixture')
    p = sub.add_parser('conform')
    p.add_argument('--native', help='the native mdediag (default $MDEDIAG_NATIVE)')
    p.add_argument('--ignore', action='append', help='finding ID not compared')
    p.add_argument('fixture')
    p.add_argument('mdediag_args', nargs='*')
    p = sub.add_parser('conform-all')
    p.add_argument('--native', help='the native mdediag (default $MDEDIAG_NATIVE)')
    p.add_argument('--ignore', action='append', help='finding ID not compared')
    p.add_argument('--jobs', type=int, default=2, help='prefixes at work at once')
    p.add_argument('--arg', action='append', dest='mdediag_args',
                   help='an argument for mdediag, as --arg=--no-network')
    p.add_argument('fixtures', nargs='+')
    p = sub.add_parser('collect-all')
    p.add_argument('--native', help='the native mdediag (default $MDEDIAG_NATIVE)')
    p.add_argument('--jobs', type=int, default=2, help='prefixes at work at once')
    p.add_argument('--arg', action='append', dest='mdediag_args',
                   help='an argument for mdediag, as --arg=--no-network')
    p.add_argument('fixtures', nargs='+')
    args = ap.parse_args()
    if args.cmd in ('conform', 'conform-all', 'collect', 'collect-all', 'fixture-path', 'collect-net'):
        args.native = os.path.abspath(args.native or os.environ.get('MDEDIAG_NATIVE', ''))

    bw = os.path.abspath(os.environ.get('MDEDIAG_BUILD_WIN') or args.build_win)
    args.svc = os.path.join(bw, 'tests', 'wine', 'svc.exe')
    args.probe = os.path.join(bw, 'tests', 'wine', 'platform_probe.exe')
    args.exe = os.path.join(bw, 'diag', 'mdediag.exe')
    args.units = os.path.join(bw, 'tests', 'wine', 'win32_units.exe')
    if args.cmd == 'list-scenarios':
        return cmd_list_scenarios(args)
    if args.cmd == 'imports':
        if shutil.which('x86_64-w64-mingw32-objdump') is None:
            log('skipped: no x86_64-w64-mingw32-objdump')
            return SKIP
        return cmd_imports(args, None)
    if shutil.which('wine') is None or not os.path.exists(args.svc):
        log(f'skipped: no wine or no cross build in {bw} (see docs/windows.md)')
        return SKIP
    prefix = Prefix(bw, args.prefix_name)
    try:
        return {'load': cmd_load, 'probe': cmd_probe, 'conform': cmd_conform,
                'conform-all': cmd_conform_all, 'collect-all': cmd_collect_all,
                'collect': cmd_collect, 'scenarios': cmd_scenarios, 'units': cmd_units,
                'fixture-path': cmd_fixture_path,
                'collect-net': cmd_collect_net}[args.cmd](args, prefix)
    except Fail as e:
        print(f'FAIL {e}')
        return 1
    finally:
        # `load` leaves the prefix running for a person to look at.
        if args.cmd != 'load':
            prefix.stop()


if __name__ == '__main__':
    sys.exit(main())
