#!/usr/bin/env python3
"""collect_test.py MDEDIAG SOURCE_ROOT - the collected file from outside
(docs/collect.md): network records and their replay, the schema, the
bounds, the errors, redaction. Prints TAP.

The network part here needs no mock cloud: a fixture device with no DNS
answers fails every name, and a collected file can be edited to say what
the device saw. The mock cloud cases are the harness's --collect-replay
test (every net-* scenario)."""
import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile

import jsonschema

MDEDIAG, ROOT = sys.argv[1], sys.argv[2]
n = failed = 0


def report(good, what):
    global n, failed
    n += 1
    failed += not good
    print(f'{"ok" if good else "not ok"} {n} - {what}')


def run(*args):
    return subprocess.run([MDEDIAG, *args], capture_output=True, text=True, timeout=120)


def findings(out, evidence=True):
    r = json.loads(out)
    fs = []
    for f in r['findings']:
        ev = {k: v for k, v in f.get('evidence', {}).items() if not k.endswith('_ms')}
        fs.append((f['id'], f['severity'], f.get('title'), ev if evidence else None))
    return fs, r['verdict']['id']


tmp = tempfile.mkdtemp()
healthy = os.path.join(ROOT, 'fixtures', 'devices', 'healthy-win11.json')
schema = json.load(open(os.path.join(ROOT, 'docs', 'fixture.schema.json')))


def path(name):
    return os.path.join(tmp, name)


def write(name, obj):
    with open(path(name), 'w') as fh:
        json.dump(obj, fh)
    return path(name)


# 1. collect with the network (every name fails on this device): the replay
#    gives the live findings, exit status included.
live = run('--fixture', healthy, '--format', 'json', '--timeout', '3')
col = run('collect', '--fixture', healthy, '--timeout', '3', '--output', path('net.json'))
rep = run('--fixture', path('net.json'), '--format', 'json')
report(col.returncode == 0 and rep.returncode == live.returncode == 1
       and findings(rep.stdout) == findings(live.stdout),
       'collect with network, replay: same findings, verdict and exit as live')
collected = json.load(open(path('net.json')))
net = collected.get('network', {})
d0 = (net.get('destinations') or [{}])[0]
report(net.get('format') == 1 and net.get('tool', '').startswith('mdediag ')
       and net.get('collected_at', '').endswith('Z') and len(net.get('destinations', [])) > 20
       and d0.get('route', {}).get('method') == 'direct' and d0.get('dns', {}).get('status') == 'not-found'
       and d0.get('result') == 'dns' and 'reason' in d0['route'],
       'the file records tool, time, and per destination route, name resolution and result')

# 2. the records drive the replay: a file saying every destination answered
#    replays as a reachable cloud; --reprobe probes again (and fails here).
ok_all = copy.deepcopy(collected)
for d in ok_all['network']['destinations']:
    d.update(result='ok', http={'status': 200, 'status_line': 'HTTP/1.1 200 OK'},
             dns={'name': d['host'], 'status': 'ok', 'addresses': ['203.0.113.7']})
    for k in ('phase', 'reason'):
        d.pop(k, None)
f = write('ok.json', ok_all)
rep = run('--fixture', f, '--format', 'json')
rp = run('--fixture', f, '--format', 'json', '--reprobe', '--timeout', '3')
fs, verdict = findings(rep.stdout)
report(rep.returncode == 0 and not verdict.startswith('net.')
       and all(s != 'error' for _, s, _, _ in fs)
       and any(i == 'net.endpoint' and e.get('resolved') == ['203.0.113.7'] for i, _, _, e in fs),
       'replay diagnoses from the records (no traffic): every destination ok')
report(rp.returncode == 1 and findings(rp.stdout)[1] == 'net.edr-cnc',
       '--reprobe probes again from here instead of replaying')

# 3. --no-network is recorded: the replay does not test the network either.
col = run('collect', '--fixture', healthy, '--no-network', '--output', path('nonet.json'))
nonet = json.load(open(path('nonet.json')))
rep = run('--fixture', path('nonet.json'), '--format', 'json')
report(col.returncode == 0 and 'no-network' in nonet['network'].get('not_tested', '')
       and nonet['network']['destinations'] == []
       and findings(rep.stdout) == findings(run('--fixture', healthy, '--no-network', '--format', 'json').stdout),
       'collect --no-network: recorded as not tested, replay matches a --no-network run')

# 4. the schema accepts what collect writes (network section included) and
#    the bundled fixtures.
v = jsonschema.Draft202012Validator(schema)
errs = [f'{name}: {e.message}' for name, doc in (('net', collected), ('nonet', nonet), ('ok', ok_all))
        for e in v.iter_errors(doc)]
report(not errs, 'collected files validate against docs/fixture.schema.json' + (f': {errs[:2]}' if errs else ''))
bad = copy.deepcopy(collected)
bad['network']['destinations'][0]['result'] = 'fine'
report(any(True for _ in v.iter_errors(bad)), 'the schema rejects an unknown result class')


# 5. bad files: exit 2, one line naming the member.
def rejected(name, doc, want):
    f = write(name, doc) if not isinstance(doc, str) else doc
    r = run('--fixture', f, '--format', 'json')
    good = r.returncode == 2 and not r.stdout and want in r.stderr and r.stderr.count('\n') == 1
    report(good, f'rejected with exit 2: {name} ({want})' + ('' if good else f': {r.returncode} {r.stderr[:200]!r}'))


b = copy.deepcopy(collected)
b['network']['destinations'][0]['result'] = 'fine'
rejected('bad-result.json', b, '$.network.destinations[0].result')
b = copy.deepcopy(collected)
b['network']['format'] = 2
rejected('newer-network.json', b, 'newer mdediag')
b = copy.deepcopy(collected)
b['schema'] = 'mdediag-fixture/2'
rejected('newer-schema.json', b, 'newer mdediag')
b = copy.deepcopy(collected)
b['network']['destinations'][1]['host'] = 'x' * 300
rejected('long-host.json', b, '$.network.destinations[1].host: longer than')
b = copy.deepcopy(collected)
b['network']['destinations'] = b['network']['destinations'] * 6
rejected('too-many.json', b, 'more than the 128 allowed')
b = copy.deepcopy(collected)
b['network']['destinations'][0]['tls'] = {'chain': [{}] * 5}
rejected('long-chain.json', b, 'at most 4 certificates')
b = copy.deepcopy(collected)
del b['network']['destinations'][0]['route']
rejected('no-route.json', b, '$.network.destinations[0].route: missing')
big = path('big.json')
with open(big, 'w') as fh:
    fh.write('{"description": "' + 'x' * 1000 + '"' + ' ' * (17 << 20) + '}')
rejected(big, big, 'larger than 16777216 bytes')

# 6. --redact: host name, user names, proxy names and internal addresses
#    become stable tokens; the verdict and every finding's id stay.
dev = json.load(open(healthy))
dev['hostname'] = 'PC-ALICE-7'
# Sense installed under a user's folder: its path is read (service image
# path, file version), so the recorded file must keep the two in step.
sense = 'C:\\Users\\alice.smith\\Sense\\MsSense.exe'
dev['files'][sense] = dev['files'].pop('C:\\Program Files\\Windows Defender Advanced Threat Protection\\MsSense.exe')
dev['services']['Sense']['image_path'] = '"' + sense + '"'
dev.setdefault('registry', {}).setdefault(
    'HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\DataCollection', {})['TelemetryProxyServer'] = 'proxy.corp.example:8080'
dev['events'] = dev.get('events', []) + [{
    'log': 'Application', 'provider': 'WDATPOnboarding', 'id': 15, 'level': 'error',
    'time': '2026-11-19T14:02:11Z',
    'message': 'C:\\Users\\alice.smith\\onboard.cmd on PC-ALICE-7 via 10.20.30.40 failed'}]
dev['dns'] = {'*': ['10.20.30.40'], 'proxy.corp.example': ['192.168.7.9']}
f = write('secret-device.json', dev)
plain = run('collect', '--fixture', f, '--timeout', '3', '--output', path('plain.json'))
red = run('collect', '--fixture', f, '--timeout', '3', '--redact', '--output', path('red.json'))
text = open(path('red.json')).read()
left = [s for s in ('PC-ALICE-7', 'alice.smith', 'proxy.corp.example', '10.20.30.40', '192.168.7.9')
        if s.lower() in text.lower()]
report(plain.returncode == red.returncode == 0 and not left,
       'collect --redact leaves no host name, user name, proxy name or internal address' + (f': {left}' if left else ''))
rj = json.load(open(path('red.json')))
tok = rj['hostname']
report(tok.startswith('HOST-') and tok in rj['description']
       and 'C:\\Users\\USER-1\\Sense\\MsSense.exe' in rj['files']
       and 'USER-1' in rj['services']['Sense']['image_path']
       and rj['registry']['HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\DataCollection']['TelemetryProxyServer'].startswith('proxy-1.invalid:8080')
       and {d['route'].get('proxy_host') for d in rj['network']['destinations']
            if d['route']['method'] == 'proxy'} == {'proxy-1.invalid'},
       'redaction tokens are stable: the same value gets the same token everywhere')
rp = run('--fixture', path('plain.json'), '--format', 'json')
rr = run('--fixture', path('red.json'), '--format', 'json')
report(rp.returncode == rr.returncode and rr.returncode in (0, 1)
       and findings(rp.stdout, False) == findings(rr.stdout, False),
       'the redacted file replays to the same findings and verdict')
report(not list(v.iter_errors(rj)), 'the redacted file validates against the schema')

# 7. usage: --redact belongs to collect, --reprobe to a diagnosis
report(run('--fixture', healthy, '--redact').returncode == 2
       and run('collect', '--fixture', healthy, '--reprobe').returncode == 2,
       '--redact only with collect, --reprobe only without: exit 2')

shutil.rmtree(tmp, ignore_errors=True)
print(f'1..{n}')
sys.exit(1 if failed else 0)
