#!/usr/bin/env python3
"""The run's one deadline (docs/connectivity.md "One deadline").

An offline device whose DNS server never answers: the fixture's resolver
blocks for a minute on every name (dns "*": {"error": "timeout",
"delay_ms": 60000}), as a real resolver waits on a dead server. The whole
mdediag run must end within --timeout plus MARGIN_S (process start, fixture
load, the other checks, the report, on a shared loaded machine), and every
destination must say it was not resolved in time. This test's subject is
time: it is the only kind of test here allowed to depend on it.

usage: deadline_it.py MDEDIAG DEVICES_DIR
"""
import json
import os
import subprocess
import sys
import tempfile
import time

TIMEOUT_S = 2
MARGIN_S = 1.5


PAC_DNS = ("function FindProxyForURL(url, host) {\n"
           "  if (isInNet(dnsResolve(host), '10.0.0.0', '255.0.0.0'))\n"
           "    return 'PROXY proxy.contoso.local:8080';\n"
           "  return 'DIRECT';\n}\n")


def case(mdediag, devices, tmp, name, extra):
    """One offline run; returns the number of failed checks."""
    fails = 0
    dev = json.load(open(os.path.join(devices, 'healthy-win11.json')))
    dev['dns'] = {'*': {'error': 'timeout', 'delay_ms': 60000}}
    dev.update(extra)
    fx = os.path.join(tmp, name + '.json')
    out = os.path.join(tmp, name + '-report.json')
    json.dump(dev, open(fx, 'w'))
    t0 = time.monotonic()
    try:
        p = subprocess.run([mdediag, '--fixture', fx, '--format', 'json', '--output', out,
                            '--timeout', str(TIMEOUT_S)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           timeout=TIMEOUT_S + MARGIN_S + 10)
    except subprocess.TimeoutExpired:
        print('FAIL %s: the run did not end within %d s (--timeout %d): name resolution '
              'is not bounded by the deadline' % (name, TIMEOUT_S + MARGIN_S + 10, TIMEOUT_S))
        return 1
    wall = time.monotonic() - t0
    ok = wall <= TIMEOUT_S + MARGIN_S
    fails += not ok
    print('%s %s: wall %.3f s, --timeout %d s, bound %.1f s' %
          ('ok  ' if ok else 'FAIL', name, wall, TIMEOUT_S, TIMEOUT_S + MARGIN_S))
    if p.returncode not in (0, 1):
        print('FAIL %s: mdediag exit %d: %s' % (name, p.returncode, p.stderr.decode()[-400:]))
        return fails + 1
    r = json.load(open(out))
    eps = [f for f in r['findings'] if f['id'] == 'net.endpoint']
    late = [f for f in eps if f['evidence'].get('result') == 'dns' and
            ('deadline' in f['evidence'].get('reason', '') or
             'no answer within the time left' in f['evidence'].get('reason', ''))]
    ok = len(eps) > 20 and len(late) == len(eps)
    fails += not ok
    print('%s %s: %d of %d destinations: dns, not resolved within the deadline' %
          ('ok  ' if ok else 'FAIL', name, len(late), len(eps)))
    return fails


def main():
    mdediag, devices = sys.argv[1], sys.argv[2]
    fails = 0
    with tempfile.TemporaryDirectory(prefix='mdediag-deadline-') as tmp:
        fails += case(mdediag, devices, tmp, 'offline', {})
        # a PAC script that resolves every host (dnsResolve) on the same
        # dead DNS: its lookups are waits and count against the deadline
        # (the device's own name answers, so that the script's lookups,
        # not myIpAddress's, meet the dead server)
        fails += case(mdediag, devices, tmp, 'offline-pac-dnsresolve',
                      {'hostname': 'DESKTOP-DEADLINE',
                       'dns': {'*': {'error': 'timeout', 'delay_ms': 60000},
                               'DESKTOP-DEADLINE': ['127.0.0.1']},
                       'wpad': {'detect': 'dhcp', 'url': 'http://wpad.contoso.local/wpad.dat',
                                'script': PAC_DNS}})
    print('%d failed' % fails)
    return 1 if fails else 0


if __name__ == '__main__':
    sys.exit(main())
