#!/usr/bin/env python3
"""fleet_test.py MDEDIAG SOURCE_ROOT - `mdediag fleet` from outside
(docs/fleet.md): a generated fleet with a known mix of causes, duplicates,
redacted and unreadable files, counted exactly; the same fleet as an Intune
export; RFC 4180 corners; bad inputs; the JSON contract; JSON Lines;
--group-by; --redact; --lang ja; the HTML's self-containment. Prints TAP.

The expected counts come from the generator's manifest (which template
each device's newest result is) and from the verdicts below, written here
by hand: a fleet that counts wrong, dedups wrong or replays wrong fails."""
import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

MDEDIAG, ROOT = sys.argv[1], sys.argv[2]
GEN = os.path.join(ROOT, 'bench', 'fleet', 'gen.py')
n = failed = 0

# template -> (verdict id, variant) for a complete diagnosis, or
# ('incomplete', reason) (docs/verdict.md rule 3)
VERDICT = {
    'net-eu-proxy-denies-cnc': ('net.proxy.denied', ''),
    'net-direct-tls-interception-cnc': ('net.tls-inspection', ''),
    'net-cnc-blackholed': ('net.edr-cnc', 'failed'),
    'net-static-proxy-407-basic': ('net.proxy.auth-required', ''),
    'net-healthy-standard-us': ('reonboard.plan', ''),
    'net-healthy-streamlined-us': ('reonboard.plan', ''),
    'local-sense-stopped-event15': ('onboarding.event', '15'),
    'local-mdav-stopped': ('mdav.stopped', ''),
    'local-not-elevated-denied': ('incomplete', 'not-elevated'),
    'local-healthy-win11': ('incomplete', 'network-not-tested'),
}


def report(good, what):
    global n, failed
    n += 1
    failed += not good
    print(f'{"ok" if good else "not ok"} {n} - {what}')
    return good


def run(*args, check_rc=None):
    p = subprocess.run([MDEDIAG, *args], capture_output=True, timeout=600)
    return p


def fleet_json(*args):
    p = run('fleet', '--format', 'json', *args)
    try:
        return p.returncode, json.loads(p.stdout), p
    except ValueError:
        return p.returncode, None, p


tmp = tempfile.mkdtemp(prefix='fleet-test-')
fl = os.path.join(tmp, 'fleet')
csv_path = os.path.join(tmp, 'export.csv')
g = subprocess.run([sys.executable, GEN, '--mdediag', MDEDIAG, '--out', fl, '--devices', '300',
                    '--dups', '24', '--bad', '2', '--redacted', '6', '--seed', '7',
                    '--csv', csv_path], capture_output=True, text=True)
if not report(g.returncode == 0, 'the generator wrote a fleet: ' + g.stderr[-300:]):
    print(f'1..{n}')
    sys.exit(1)
manifest = json.load(open(fl + '.manifest.json'))
devs = manifest['devices']


def name_of(i, d):
    return 'HOST-1 (%s)' % d['sense_id'][:8] if d['redacted'] else 'PC-%06d' % (i + 1)


def expected(key=lambda i, d: ()):
    """{(id, variant) + key: set of names} and {reason: set}"""
    causes, inc = {}, {}
    for i, d in enumerate(devs):
        v = VERDICT[d['template']]
        if v[0] == 'incomplete':
            inc.setdefault(v[1], set()).add(name_of(i, d))
        else:
            causes.setdefault(v + key(i, d), set()).add(name_of(i, d))
    return causes, inc


def ranked(causes):
    return sorted(((k, len(v)) for k, v in causes.items()), key=lambda kv: (-kv[1], kv[0]))


want_causes, want_inc = expected()

# 1. the fleet: exact counts, ranked; the JSON contract
rc, j, p = fleet_json(fl)
report(j is not None, 'fleet --format json prints JSON: %r' % p.stderr[-300:])
j = j or {'causes': [], 'incomplete': {'reasons': []}, 'unreadable_inputs': []}
report(rc == 1, 'exit status 1: some device has an error verdict (got %d)' % rc)
report(j.get('devices') == 300, 'devices: 300 (got %r)' % j.get('devices'))
report(j.get('unreadable') == len(manifest['unreadable']),
       'unreadable: %d (got %r)' % (len(manifest['unreadable']), j.get('unreadable')))
report(j.get('duplicate_results') == len(manifest['duplicates']),
       'duplicate_results: %d (got %r)' % (len(manifest['duplicates']), j.get('duplicate_results')))
got = [((c['id'], c.get('variant', '')), c['devices']) for c in j['causes']]
report(got == ranked(want_causes), 'causes ranked by devices, exact: %s' % got)
report(all(isinstance(c['devices'], int) for c in j['causes']) and
       [c['devices'] for c in j['causes']] == sorted((c['devices'] for c in j['causes']), reverse=True),
       'causes[].devices are integers in decreasing order')
got_inc = {c['id']: c['devices'] for c in j['incomplete']['reasons']}
report(got_inc == {k: len(v) for k, v in want_inc.items()} and
       j['incomplete']['devices'] == sum(len(v) for v in want_inc.values()),
       'incomplete diagnoses counted apart, by reason: %s' % got_inc)
ok = True
for c in j['causes']:
    ok &= set(c['hosts']) == want_causes.get((c['id'], c.get('variant', '')), set())
report(ok, 'each cause names exactly its devices (redacted ones by HOST-1 and their SenseId)')
report(sum(c['devices'] for c in j['causes']) + j['incomplete']['devices'] == j['devices'],
       'every device counted once: causes + incomplete = devices')
pd = [c for c in j['causes'] if c['id'] == 'net.proxy.denied']
report(pd and pd[0].get('next_step') and pd[0].get('command') == 'netsh winhttp show proxy',
       'a cause carries its next step and command')
pats = {(x['fact'], x['value']) for x in (pd[0].get('patterns', []) if pd else [])}
report(('site', 'fleet/site-B') in pats and ('region', 'EU') in pats,
       'the proxy denials show their pattern: site B, region EU (%s)' % sorted(pats))
split = {s['value']: s['devices'] for s in pd[0]['split']['site']} if pd else {}
newer_pd = sum(1 for d in manifest['duplicates']
               if d['newer'] and VERDICT[devs[d['index']]['template']][0] == 'net.proxy.denied')
report(split.get('fleet/site-B', 0) + split.get('fleet/resent', 0) == pd[0]['devices'] if pd else False,
       'split by site: %s' % split)
# duplicates: the newer result wins, the older is listed as set aside
ok = True
by_name = {}
for c in j['causes']:
    for h in c['hosts']:
        by_name[h] = (c['id'], c.get('variant', ''))
for c in j['incomplete']['reasons']:
    for h in c['hosts']:
        by_name[h] = ('incomplete', c['id'])
for d in manifest['duplicates']:
    i = d['index']
    ok &= by_name.get(name_of(i, devs[i])) == VERDICT[devs[i]['template']]
report(ok and any(d['newer'] for d in manifest['duplicates']) and
       any(not d['newer'] for d in manifest['duplicates']),
       'a device sent twice counts once, under its newest result (newer and older resends)')
dropped = {x['dropped'] for x in j.get('duplicates', [])}
ok = all((d['path'] in dropped) != d['newer'] for d in manifest['duplicates'])
report(ok, 'duplicates list what was set aside: the older resends, or the originals a newer one replaced')
# unreadable inputs: listed with their reason, and the run went on
reasons = {x['source']: x['reason'] for x in j['unreadable_inputs']}
ok = True
for b in manifest['unreadable']:
    r = reasons.get(b['path'], '')
    if b['reason'] not in r:
        ok = False
        print('# %s: %r lacks %r' % (b['path'], r, b['reason']))
report(ok, 'every unreadable file is listed with its reason (empty, truncated, foreign, newer, binary, CSV)')

# 2. the replay is --fixture's: same verdict for one file of each template
seen, ok = set(), True
lines = run('fleet', '--format', 'jsonl', fl).stdout.decode().splitlines()
rows = [json.loads(l) for l in lines]
by_src = {r['source']: r for r in rows}
for i, d in enumerate(devs):
    if d['template'] in seen:
        continue
    path = os.path.join(fl, d['site'], 'PC-%06d.json' % (i + 1))
    if path not in by_src:
        continue  # its newest result is a resend
    seen.add(d['template'])
    one = json.loads(run('--fixture', path, '--format', 'json').stdout)
    v = one['verdict']
    ok &= (by_src[path]['verdict'], by_src[path]['variant']) == (v['id'], v.get('variant', ''))
report(ok and len(seen) == len(VERDICT), 'fleet gives each file the verdict of mdediag --fixture FILE '
       '(%d templates)' % len(seen))

# 3. JSON Lines: one device a line, flat, for a log pipeline
report(len(rows) == 300 and len({r['device'] for r in rows}) == 300,
       'JSON Lines: 300 lines, one per device')
keys = {'device', 'device_id', 'verdict', 'variant', 'severity', 'rule', 'incomplete', 'findings',
        'os_build', 'sense_version', 'platform_version', 'onboarding', 'streamlined', 'region',
        'proxy', 'site', 'time', 'kind', 'source', 'results'}
report(all(keys <= set(r) for r in rows) and all(isinstance(r['findings'], list) for r in rows),
       'JSON Lines rows carry the verdict, findings and split facts')
tally = {}
for r in rows:
    k = ('incomplete', r['incomplete']) if r['incomplete'] else (r['verdict'], r['variant'])
    tally[k] = tally.get(k, 0) + 1
want_tally = {k: len(v) for k, v in want_causes.items()}
want_tally.update({('incomplete', k): len(v) for k, v in want_inc.items()})
report(tally == want_tally, 'JSON Lines verdicts add up to the same counts')
report(sum(r['results'] for r in rows) == 300 + len(manifest['duplicates']),
       'results per device add up to the files read')

# 4. the Intune export of the same fleet
rc, jc, p = fleet_json(csv_path)
got = [((c['id'], c.get('variant', '')), c['devices']) for c in (jc or {}).get('causes', [])]
want_csv, want_csv_inc = expected()
# the export names devices by host (no redaction tokens on the device)
want_csv = {k: {'PC-%06d' % (i + 1) for i, d in enumerate(devs) if VERDICT[d['template']] == k}
            for k in want_csv}
report(jc and jc['devices'] == 300 and jc['unreadable'] == 0 and got == ranked(want_csv),
       'the Intune export gives the same causes, exactly: %s' % got)
report(jc and {c['id']: c['devices'] for c in jc['incomplete']['reasons']} ==
       {k: len(v) for k, v in want_csv_inc.items()}, 'and the same incomplete diagnoses')
ok = all(set(c['hosts']) == want_csv[(c['id'], c.get('variant', ''))] for c in (jc or {}).get('causes', []))
report(ok, 'each cause names its devices from the export')


def write(name, text, mode='w'):
    path = os.path.join(tmp, name)
    with open(path, mode, **({} if 'b' in mode else {'encoding': 'utf-8', 'newline': ''})) as f:
        f.write(text)
    return path


LINE = ('ERROR net.proxy.denied: Proxy refuses Defender for Endpoint destinations | e/w/i=6/0/42 | '
        'errors=net.proxy.denied,net.edr-cnc/failed,net.endpoint/proxy-denied(3) | next=Allow these '
        'destinations | host=%s | os=22631.4460 Enterprise | sense=RUNNING | sense_ver=10.8760.1 | '
        'onboarding=intune | streamlined=yes | winhttp_proxy=proxy.contoso.local:8080')
# RFC 4180: quotes doubled, commas and line breaks inside quoted fields,
# CRLF, a byte order mark; semicolons (Excel in many locales); Graph names
rfc = ('\ufeffDevice name,Notes,Pre-remediation detection output,Last update time\r\n'
       '"PC-Q1","a, b and ""quoted""\r\nsecond line","%s",2026-11-20T08:00:00Z\r\n'
       'PC-Q2,plain,"Starting mdediag...\nWARNING reonboard.plan: Nothing found | e/w/i=0/2/8 | '
       'host=PC-Q2",2026-11-20T08:00:00+09:00\r\n'
       'PC-Q3,,,2026-11-20T08:00:00Z\r\n'
       'PC-Q4,x,"ERROR mdediag.missing: mdediag.exe is not installed",\r\n'
       'PC-Q1,older,"%s",2026-11-19T08:00:00Z\r\n'
       'PC-Q5,x,"not our line at all",\r\n') % (LINE % 'PC-Q1', LINE.replace('proxy.denied', 'tls-inspection') % 'PC-Q1')
rc, jr, p = fleet_json(write('rfc.csv', rfc))
ok = jr is not None
if ok:
    got = {(c['id'], c.get('variant', '')): sorted(c['hosts']) for c in jr['causes']}
    inc = {c['id']: sorted(c['hosts']) for c in jr['incomplete']['reasons']}
    bad = {x['source'].rsplit(':', 1)[1]: x['reason'] for x in jr['unreadable_inputs']}
    ok = (got == {('net.proxy.denied', ''): ['PC-Q1'], ('reonboard.plan', ''): ['PC-Q2']} and
          inc == {'no-diagnosis': ['PC-Q4']} and jr['devices'] == 3 and
          jr['duplicate_results'] == 1 and set(bad) == {'row 4', 'row 7'} and
          'no detection output' in bad['row 4'] and 'not an mdediag line' in bad['row 7'])
    if not ok:
        print('# %s %s %s %s' % (got, inc, bad, jr['devices']))
report(ok, 'CSV per RFC 4180: quoted commas, quotes and line breaks, BOM, CRLF; the last mdediag line '
       'of an output; rows without our line listed by row; the newer row of a device wins')
rc, js, p = fleet_json(write('semi.csv', 'deviceName;preRemediationDetectionScriptOutput;'
                             'lastStateUpdateDateTime\n"PC-S1";"%s";2026-11-20T08:00:00Z\n' % (LINE % 'PC-S1')))
report(js and js['devices'] == 1 and js['causes'][0]['id'] == 'net.proxy.denied',
       "a ';' export with Microsoft Graph's property names")
rc, ju, p = fleet_json(write('unterminated.csv', 'Device name,Pre-remediation detection output\r\n'
                             'PC-U1,"%s"\r\nPC-U2,"never closed\r\nPC-U3,x\r\n' % (LINE % 'PC-U1')))
report(ju and ju['devices'] == 1 and ju['unreadable'] == 1 and
       'never ends' in ju['unreadable_inputs'][0]['reason'],
       'an unterminated quote: one unreadable row with its reason, the rows before it counted')
rc, jl, p = fleet_json(write('longfield.csv', 'Device name,Pre-remediation detection output\r\n'
                             'PC-L1,"%s"\r\nPC-L2,"%s"\r\n' % ('x' * 70000, LINE % 'PC-L2')))
report(jl and jl['devices'] == 1 and jl['unreadable'] == 1 and
       'longer than' in jl['unreadable_inputs'][0]['reason'],
       'a field over 64 KiB is refused, the next row still read')

# found by fuzzing fleet_line.c: an empty check ID looped for ever on not_determined
rc, jx, p = fleet_json(write('empty-id.csv', 'Device name,Pre-remediation detection output\r\n'
                             'PC-X1,"ERROR /x: t | not_determined=a(not-elevated)"\r\n'))
report(jx and jx['devices'] == 0 and 'not a check ID' in jx['unreadable_inputs'][0]['reason'],
       'a line whose check ID is empty is unreadable, and the run ends')

# 5. bad inputs: never stop the run, never crash
bad = os.path.join(tmp, 'bad')
os.makedirs(bad)
good = os.path.join(fl, devs[0]['site'], 'PC-000001.json')
shutil.copy(good, os.path.join(bad, 'good.json'))
with open(os.path.join(bad, 'huge.json'), 'w') as f:
    f.write('{"schema": "mdediag-fixture/1", "description": "' + 'x' * (17 << 20) + '"}')
with open(os.path.join(bad, 'nested.json'), 'w') as f:
    f.write('[' * 100000)
with open(os.path.join(bad, 'utf16.json'), 'wb') as f:
    f.write('{"a": 1}'.encode('utf-16'))
with open(os.path.join(bad, 'report-no-verdict.json'), 'w') as f:
    f.write('{"tool": {"name": "mdediag"}, "verdict": {}, "device": {}}')
os.symlink(fl, os.path.join(bad, 'link'))
rc, jb, p = fleet_json(bad)
r = {os.path.basename(x['source']): x['reason'] for x in (jb or {}).get('unreadable_inputs', [])}
report(jb and jb['devices'] == 1 and jb['unreadable'] == 5 and 'larger than' in r.get('huge.json', '') and
       'not valid JSON' in r.get('nested.json', '') and 'binary' in r.get('utf16.json', '') and
       'verdict' in r.get('report-no-verdict.json', '') and 'symbolic link' in r.get('link', ''),
       'too large, nested too deep, UTF-16, a report without a verdict, a symbolic link: listed (%s)' % r)
p = run('fleet', os.path.join(tmp, 'no-such-dir'))
report(p.returncode == 2 and b'no-such-dir' in p.stderr, 'a PATH that does not exist: exit 2, named')
p = run('fleet')
report(p.returncode == 2, 'no PATH: exit 2')
p = run('fleet', '--group-by', 'colour', fl)
report(p.returncode == 2 and b'--group-by colour' in p.stderr, 'an unknown --group-by: exit 2')
if os.path.exists('/dev/full'):
    with open('/dev/full', 'w') as full:
        p = subprocess.run([MDEDIAG, 'fleet', fl], stdout=full, stderr=subprocess.PIPE, timeout=600)
    report(p.returncode == 3 and b'writing the report failed' in p.stderr,
           'a report that cannot be written: exit 3, said on stderr')
empty = os.path.join(tmp, 'empty-dir')
os.makedirs(empty)
rc, je, p = fleet_json(empty)
report(rc == 0 and je and je['devices'] == 0 and je['causes'] == [], 'an empty directory: 0 devices, exit 0')

# 6. JSON reports as inputs, mixed with collected files (one device, twice)
mixed = os.path.join(tmp, 'mixed')
os.makedirs(mixed)
shutil.copy(good, os.path.join(mixed, 'collected.json'))
rep = run('--fixture', good, '--format', 'json', '--lang', 'ja').stdout.decode()
open(os.path.join(mixed, 'report-ja.json'), 'w').write(rep)
other = os.path.join(ROOT, 'fixtures', 'devices', 'mdav-stopped.json')
open(os.path.join(mixed, 'report2.json'), 'w').write(run('--fixture', other, '--format', 'json').stdout.decode())
rc, jm, p = fleet_json(mixed)
titles = [c['title'] for c in (jm or {}).get('causes', [])]
report(jm and jm['devices'] == 2 and jm['duplicate_results'] == 1 and
       not any(re.search('[\u3040-\u30ff]', t) for t in titles),
       'a JSON report (even in Japanese) and the collected file of one device count once; '
       'titles in the fleet report\'s language')

# 7. --group-by: one row per cause and site
rc, jg, p = fleet_json('--group-by', 'site', fl)


def site_of(i, d):
    resent = [x for x in manifest['duplicates'] if x['index'] == i and x['newer']]
    return ('fleet/resent',) if resent else ('fleet/' + d['site'],)


wg, _ = expected(site_of)
got = sorted(((c['id'], c.get('variant', ''), c['group']['site']), c['devices']) for c in (jg or {}).get('causes', []))
report(got == sorted(((k[0], k[1], k[2]), len(v)) for k, v in wg.items()),
       '--group-by site: causes split by the folder of the newest result')

# 8. --redact: tokens, no host name, SenseId or file name anywhere
outs = {}
for fmt in ('text', 'json', 'jsonl', 'html'):
    outs[fmt] = run('fleet', '--redact', '--format', fmt, fl).stdout.decode()
leak = [fmt for fmt, o in outs.items() if re.search(r'PC-\d{6}', o) or
        any(d['sense_id'][:8] in o for d in devs)]
report(not leak and 'device-1' in outs['json'] and 'device-300' in outs['jsonl'],
       '--redact: devices are tokens; no host name, SenseId or file name leaks (%s)' % leak)
jr = json.loads(outs['json'])
report([(c['id'], c['devices']) for c in jr['causes']] == [(c['id'], c['devices']) for c in j['causes']],
       '--redact: the same counts')

# 9. --lang ja
t = run('fleet', '--lang', 'ja', fl).stdout.decode()
report('原因' in t and 'デバイス' in t and '次の手順' in t, '--lang ja: the text report in Japanese')
h = run('fleet', '--lang', 'ja', '--format', 'html', fl).stdout.decode()
report('<html lang="ja">' in h and 'フリート' in h, '--lang ja: the HTML in Japanese')
rc, jj, p = fleet_json('--lang', 'ja', fl)
report(jj and [(c['id'], c['devices']) for c in jj['causes']] == [(c['id'], c['devices']) for c in j['causes']],
       '--lang ja: the same counts')

# 10. text: top causes first, each with its next step, within 80 columns
t = run('fleet', fl).stdout.decode()
first = re.search(r'^\s+1\. (\d+) devices .* (\S+)', t, re.M)
report(first and int(first.group(1)) == j['causes'][0]['devices'] and
       t.index('Next step:') < t.index('  2. '), 'text: the top cause first, with its next step')
wide = [l for l in t.splitlines() if len(l) > 80 and not l.startswith('       ') ]
report(not wide, 'text: lines within 80 columns but commands (%s)' % wide[:2])

# 11. HTML: self-contained, every device findable
h = run('fleet', '--format', 'html', fl).stdout.decode()
report('<script' not in h.lower() and not re.search(r'(src|href)\s*=\s*"(?!#)', h) and
       "default-src 'none'" in h, 'HTML: no script, nothing fetched, a CSP')
report(all(name_of(i, d) in h for i, d in enumerate(devs)), 'HTML: every device is on the page')
report(h.count('class="cause') == len(j['causes']) + len(j['incomplete']['reasons']),
       'HTML: one block per cause and per incomplete reason')

# 12. --jobs: the workers change nothing. Every kind of input at once
# (collected files, duplicates won and lost, redacted hosts, unreadable
# files, a symbolic link, the Intune export, the RFC 4180 corners), every
# format: the same bytes with 1, 2 and 3 threads.
inputs = [fl, csv_path, bad, os.path.join(tmp, 'rfc.csv'), os.path.join(tmp, 'semi.csv')]
for fmt, extra in (('json', []), ('jsonl', []), ('text', ['--group-by', 'site']),
                   ('html', ['--redact'])):
    outs = [run('fleet', '--jobs', str(k), '--format', fmt, *extra, *inputs) for k in (1, 2, 3)]
    same = all(o.stdout == outs[0].stdout and o.returncode == outs[0].returncode and
               o.stderr == outs[0].stderr for o in outs[1:])
    report(same and len(outs[0].stdout) > 1000 and outs[0].returncode == 1,
           '--jobs 1, 2 and 3 give the same --format %s %s, byte for byte' % (fmt, ' '.join(extra)))
rc1, j1, p = fleet_json('--jobs', '1', fl)
report(j1 and j1 == j and j1['devices'] == len(devs), '--jobs 1 gives the default run\'s JSON')
for bad_n in ('0', '65', 'two', '-1', ''):
    p = run('fleet', '--jobs', bad_n, fl)
    report(p.returncode == 2 and b'--jobs' in p.stderr, '--jobs %r: exit 2, named' % bad_n)

shutil.rmtree(tmp, ignore_errors=True)
shutil.rmtree(fl, ignore_errors=True)
print(f'1..{n}')
sys.exit(1 if failed else 0)
