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
import time
import os
import re
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
# a server's Date at the device's own time (net.clock compares the two)
when = time.strftime('%a, %d %b %Y %H:%M:%S GMT',
                     time.strptime(collected['clock'], '%Y-%m-%dT%H:%M:%SZ'))
for d in ok_all['network']['destinations']:
    d.update(result='ok', http={'status': 200, 'status_line': 'HTTP/1.1 200 OK', 'date': when},
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
       and rj['registry']['HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\DataCollection']['TelemetryProxyServer'] == 'proxy.dom-1.invalid:8080'
       and {d['route'].get('proxy_host') for d in rj['network']['destinations']
            if d['route']['method'] == 'proxy'} == {'proxy.dom-1.invalid'}
       and rj['dns'].get('proxy.dom-1.invalid') == ['198.18.0.2'],
       'redaction tokens are stable: the same value gets the same token everywhere')
rp = run('--fixture', path('plain.json'), '--format', 'json')
rr = run('--fixture', path('red.json'), '--format', 'json')
report(rp.returncode == rr.returncode and rr.returncode in (0, 1)
       and findings(rp.stdout, False) == findings(rr.stdout, False),
       'the redacted file replays to the same findings and verdict')
report(not list(v.iter_errors(rj)), 'the redacted file validates against the schema')

# 8. A "contoso" device (the reviewers' case): its DNS and NetBIOS domains
#    in the registry, a PAC script from WPAD whose comment names a user and
#    whose rules name the internal domains, a user in an event, the signed
#    onboarding blob; then the records edited to what an inspecting proxy
#    shows (its CA's subject, its banner). No identifying word may survive
#    anywhere in the redacted text, and every replay must judge the same.
ATP_POLICY = 'HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows Advanced Threat Protection'
ATP = 'HKLM\\SOFTWARE\\Microsoft\\Windows Advanced Threat Protection'
SECRETS = ['contoso', 'CTSOJP', 'alice', 'tanaka', 'TKY-ALICE-01', 'WebGateway', 'Shinagawa',
           '10.1.2.3', '10.1.2.4', '10.1.5.9']
PAC = ("// Contoso proxy rules. Owner: CONTOSO\\alice.tanaka (alice.tanaka@contoso.com),\n"
       "// CTSOJP network team\n"
       "function FindProxyForURL(url, host) {\n"
       "  if (isPlainHostName(host) || dnsDomainIs(host, '.contoso.local') ||\n"
       "      shExpMatch(host, '*.corp.contoso.com'))\n"
       "    return 'DIRECT';\n"
       "  if (isResolvable('proxy-check.contoso.local'))\n"
       "    return 'PROXY proxy.contoso.local:8080';\n"
       "  return 'DIRECT';\n"
       "}\n")
body = {'previousOrgIds': ['0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6'],
        'orgId': '9b3c6a2e-4f1d-4c8a-a7e2-2d5f0c1b7e44',
        'geoLocationUrl': 'https://winatp-gw-cus.microsoft.com/', 'datacenter': 'CentralUs',
        'vortexGeoLocation': 'US', 'version': '1.68', 'deviceType': 'Client',
        'packageGuid': '5f2c8d9e-0a1b-4c3d-9e8f-7a6b5c4d3e2f'}
blob = json.dumps({'body': json.dumps(body), 'sig': 'c2lnbmF0dXJlLWJ5dGVz',
                   'sha256sig': 'c2hhMjU2LXNpZ25hdHVyZQ==', 'cert': 'TUlJRmFrZUNlcnQ=',
                   'chain': ['TUlJQ2hhaW4x', 'TUlJQ2hhaW4y']})
dev = json.load(open(healthy))
dev['hostname'] = 'TKY-ALICE-01'
reg = dev['registry']
reg['HKLM\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters'] = {
    'Domain': 'corp.contoso.com', 'NV Domain': 'corp.contoso.com',
    'SearchList': 'corp.contoso.com,contoso.local'}
reg['HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon'] = {
    'DefaultDomainName': 'CTSOJP', 'DefaultUserName': 'alice.tanaka'}
reg[ATP_POLICY]['OnboardingInfo'] = blob
reg[ATP]['OnboardedInfo'] = blob
dev['wpad'] = {'detect': 'dhcp', 'url': 'http://wpad.contoso.local/wpad.dat', 'script': PAC}
dev['dns'] = {'proxy-check.contoso.local': ['10.1.2.3'], 'proxy.contoso.local': ['10.1.2.4'],
              'TKY-ALICE-01': ['10.1.5.9']}
dev['events'] = dev.get('events', []) + [{
    'log': 'Application', 'provider': 'WDATPOnboarding', 'id': 15, 'level': 'error',
    'time': '2026-11-19T14:02:11Z',
    'message': 'Onboarding run by CONTOSO\\alice.tanaka (alice.tanaka@contoso.com) from '
               'C:\\Users\\alice.tanaka\\Downloads on TKY-ALICE-01, domain CTSOJP'}]
f = write('contoso.json', dev)


def leftovers(path_):
    text = open(path_, encoding='utf-8').read().lower()
    return [w for w in SECRETS if w.lower() in text]


live = run('--fixture', f, '--format', 'json', '--timeout', '3')
plain = run('collect', '--fixture', f, '--timeout', '3', '--output', path('contoso-plain.json'))
red = run('collect', '--fixture', f, '--timeout', '3', '--redact', '--output', path('contoso-red.json'))
seeded = leftovers(path('contoso-plain.json'))
left = leftovers(path('contoso-red.json'))
rj = json.load(open(path('contoso-red.json')))
report(plain.returncode == red.returncode == 0 and len(seeded) == len(SECRETS) - 2 and not left,
       'a contoso device: none of its domains, user, host or addresses survives --redact'
       + (f': left {left}' if left else f' (the plain file holds {len(seeded)} of {len(SECRETS)})'))
script = rj.get('wpad', {}).get('script', '')
proxies = {d['route'].get('proxy_host') for d in rj['network']['destinations']
           if d['route']['method'] == 'proxy'}
# corp.contoso.com (the DNS domain, found first) is org-1.invalid, contoso.local org-1-2.invalid
report("dnsDomainIs(host, '.org-1-2.invalid')" in script and "'*.corp.org-1.invalid'" in script
       and "isResolvable('name-1.org-1-2.invalid')" in script
       and "'PROXY proxy.org-1-2.invalid:8080'" in script
       and 'org-1\\USER-1 (USER-1@org-1.invalid)' in script and '// org-2 network team' in script
       and proxies == {'proxy.org-1-2.invalid'}
       and rj['wpad']['url'] == 'http://wpad.org-1-2.invalid/wpad.dat'
       and 'name-1.org-1-2.invalid' in rj['dns'] and 'HOST-1' in rj['dns'],
       'the PAC script, the WPAD URL, the records and the DNS answers get the same tokens')
ob = json.loads(rj['registry'][ATP_POLICY]['OnboardingInfo'])
obd = json.loads(rj['registry'][ATP]['OnboardedInfo'])
report(set(ob) == {'body'} and json.loads(ob['body']) == {
           'orgId': body['orgId'], 'datacenter': 'CentralUs', 'vortexGeoLocation': 'US'}
       and obd == ob and rj['registry'][ATP]['SenseId'] == dev['registry'][ATP]['SenseId']
       and not any(x in open(path('contoso-red.json')).read()
                   for x in ('c2lnbmF0dXJl', 'TUlJ', 'packageGuid', body['previousOrgIds'][0])),
       'the onboarding blobs keep orgId, datacenter and geo; signature, certificates, package and previous orgs go')
# Over-redaction would change what the replay reads: Microsoft's names,
# the registry paths, the destinations and the org ID stay.
rtext = open(path('contoso-red.json')).read()
kept = ['Windows Defender Advanced Threat Protection', 'MsSense.exe', 'winatp-gw-cus.microsoft.com',
        'HKLM\\\\SOFTWARE\\\\Policies\\\\Microsoft', 'CurrentControlSet', 'Windows 10 Enterprise',
        body['orgId'], 'FindProxyForURL(url, host)', 'isPlainHostName(host)']
report(all(k in rtext for k in kept) and not list(v.iter_errors(rj)),
       'Microsoft\'s names, registry paths, destinations and the org ID stay; the file validates'
       + ('' if all(k in rtext for k in kept) else f': lost {[k for k in kept if k not in rtext]}'))
lr, pr, rr = (findings(x.stdout, False) for x in (
    live, run('--fixture', path('contoso-plain.json'), '--format', 'json'),
    run('--fixture', path('contoso-red.json'), '--format', 'json')))
report(lr == pr == rr and any(i == 'net.endpoint' for i, _, _, _ in rr[0]),
       'the redacted contoso file replays to the live findings and verdict' + ('' if lr == rr else f': {lr[1]} vs {rr[1]}'))
# The PAC script runs again on the redacted file (its records dropped): the
# renamed script, DNS answers and host names route every destination as the
# original did, through the renamed proxy.
for name in ('contoso-plain', 'contoso-red'):
    doc = json.load(open(path(name + '.json')))
    del doc['network']
    write(name + '-local.json', doc)
    run('collect', '--fixture', path(name + '-local.json'), '--timeout', '3',
        '--output', path(name + '-again.json'))


# contoso.local's token, from the redacted WPAD URL
local_token = rj['wpad']['url'].split('/')[2].split('.', 1)[1]


def routes(name):
    ds = json.load(open(path(name + '-again.json')))['network']['destinations']
    return [(d['id'], d['route']['method'], d['route'].get('route_source'), d['result'],
             (d['route'].get('pac_answer') or '').replace('contoso.local', local_token))
            for d in ds]


ra, rb = routes('contoso-plain'), routes('contoso-red')
report(ra == rb and any(r[1] == 'proxy' and r[2] == 'wpad' for r in ra),
       'the redacted PAC script, run again, routes every destination as the original'
       + ('' if ra == rb else f': {[x for x in zip(ra, rb) if x[0] != x[1]][:2]}'))

# With Sense stopped the onboarding logs are read (and recorded): a user in
# an event's text goes too.
stopped = copy.deepcopy(dev)
stopped['services']['Sense']['state'] = 1
stopped['events'] = [{
    'log': 'Application', 'provider': 'WDATPOnboarding', 'id': 15, 'level': 'error',
    'time': '2026-11-19T14:02:11Z',
    'message': 'Onboarding run by CONTOSO\\alice.tanaka (alice.tanaka@contoso.com) from '
               'C:\\Users\\alice.tanaka\\Downloads on TKY-ALICE-01, domain CTSOJP, '
               'user CTSOJP\\bob'}]
f = write('contoso-stopped.json', stopped)
plain = run('collect', '--fixture', f, '--output', path('contoso-stopped-plain.json'))
red = run('collect', '--fixture', f, '--redact', '--output', path('contoso-stopped-red.json'))
ev = json.load(open(path('contoso-stopped-red.json')))['events']
left = leftovers(path('contoso-stopped-red.json'))
report(plain.returncode == red.returncode == 0 and 'CTSOJP' in open(path('contoso-stopped-plain.json')).read()
       and not left and ev and ev[0]['message'] ==
       'Onboarding run by org-1\\USER-1 (USER-1@org-1.invalid) from C:\\Users\\USER-1\\Downloads '
       'on HOST-1, domain org-2, user org-2\\USER-4',
       'users in an event (DOMAIN\\user, user@domain, \\Users\\name) and the NetBIOS domain go'
       + (f': left {left}' if left else f': {ev[:1]}'))

# The records of an inspecting proxy: its CA's subject and its banner.
insp = json.load(open(path('contoso-plain.json')))
CA = 'CN=Contoso TLS Inspection CA, OU=Shinagawa Network Security, O=Contoso Ltd, C=JP'
for d in insp['network']['destinations']:
    if d['route']['method'] != 'proxy' or d['scheme'] != 'https':
        continue
    d.update(result='tls-intercepted', phase='tls', address='10.1.2.4:8080',
             dns={'name': 'proxy.contoso.local', 'status': 'ok', 'addresses': ['10.1.2.4']},
             reason=f'certificate chain does not lead to an expected root: issuer "{CA}", root "{CA}"',
             proxy_reply={'status': 200, 'status_line': 'HTTP/1.1 200 Connection established',
                          'proxy_agent': 'Contoso-WebGateway/8.2',
                          'via': '1.1 proxy.contoso.local:8080 (Contoso-WebGateway/8.2)'},
             tls={'subject': f'CN={d["host"]}', 'issuer': CA, 'root': CA, 'detail': '',
                  'expected_root': False, 'presented': 2,
                  'chain': [{'subject': f'CN={d["host"]}', 'issuer': CA},
                            {'subject': CA, 'issuer': CA}]})
f = write('contoso-inspected.json', insp)
red = run('collect', '--fixture', f, '--redact', '--output', path('contoso-inspected-red.json'))
left = leftovers(path('contoso-inspected-red.json'))
ri = json.load(open(path('contoso-inspected-red.json')))
tls = [d['tls'] for d in ri['network']['destinations'] if d['result'] == 'tls-intercepted']
# (the replay of the redacted file is compared with the same path without
# --redact: a collected file collected again)
again = run('collect', '--fixture', f, '--output', path('contoso-inspected-again.json'))
wpad_again = json.load(open(path('contoso-inspected-again.json')))['network'].get('wpad')
report(insp['network'].get('wpad') is not None and wpad_again == insp['network']['wpad'],
       'collecting a collected file keeps its network.wpad record as it was'
       + ('' if wpad_again == insp['network'].get('wpad') else f': {wpad_again}'))
pi, ri2 = (findings(run('--fixture', x, '--format', 'json').stdout, False)
           for x in (path('contoso-inspected-again.json'), path('contoso-inspected-red.json')))
report(red.returncode == 0 and not left and tls
       and re.fullmatch(r'CN=org-1 TLS Inspection CA, OU=org-\d+ Network Security, O=org-1 Ltd, C=JP',
                        tls[0]['issuer'])
       and tls[0]['chain'][0]['subject'].endswith('.microsoft.com'),
       'an inspecting proxy\'s CA subject and banner name nobody after --redact'
       + (f': left {left}' if left else f': {tls[:1]}'))
report(pi == ri2 and pi[1] == 'net.tls-inspection' and red.returncode == again.returncode == 0,
       'the redacted inspection records replay to the same findings and verdict (net.tls-inspection)'
       + ('' if pi == ri2 else f': {pi[1]} vs {ri2[1]}'))

# 7. usage: --redact belongs to collect, --reprobe to a diagnosis
report(run('--fixture', healthy, '--redact').returncode == 2
       and run('collect', '--fixture', healthy, '--reprobe').returncode == 2,
       '--redact only with collect, --reprobe only without: exit 2')

if not os.environ.get("KEEP"):
    shutil.rmtree(tmp, ignore_errors=True)
print(f'1..{n}')
sys.exit(1 if failed else 0)
