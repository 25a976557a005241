#!/usr/bin/env python3
"""browser.py MDEDIAG SOURCE_ROOT OUTDIR - the fleet page in headless
Chromium: the DOM Chromium builds has the chart (one row per cause), a
block per cause with its next step and patterns, and every device; nothing
was fetched (the CSP forbids it; Chromium logs any attempt); a screenshot
is kept as OUTDIR/fleet.png. Exit 77 (skipped) without chromium. TAP."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

MDEDIAG, ROOT, OUTDIR = sys.argv[1], sys.argv[2], sys.argv[3]
CHROMIUM = shutil.which('chromium') or shutil.which('chromium-browser')
FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-extensions',
         '--hide-scrollbars']
if not CHROMIUM:
    print('1..0 # SKIP chromium is not installed')
    sys.exit(77)
n = failed = 0


def report(good, what):
    global n, failed
    n += 1
    failed += not good
    print(f'{"ok" if good else "not ok"} {n} - {what}')


def chromium(args, page):
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run([CHROMIUM] + FLAGS + ['--user-data-dir=' + profile] + args +
                              ['file://' + os.path.abspath(page)], capture_output=True, timeout=120)


tmp = tempfile.mkdtemp(prefix='fleet-browser-')
fl = os.path.join(tmp, 'fleet')
subprocess.run([sys.executable, os.path.join(ROOT, 'bench', 'fleet', 'gen.py'), '--mdediag', MDEDIAG,
                '--out', fl, '--devices', '60', '--dups', '4', '--bad', '1'], check=True,
               capture_output=True)
page = os.path.join(tmp, 'fleet.html')
for lang in ('en', 'ja'):
    p = subprocess.run([MDEDIAG, 'fleet', '--format', 'html', '--lang', lang, '--output', page, fl])
    report(p.returncode in (0, 1), '%s: the page was written' % lang)
    d = chromium(['--dump-dom'], page)
    dom = d.stdout.decode('utf-8', 'replace')
    j = __import__('json').loads(subprocess.run([MDEDIAG, 'fleet', '--format', 'json', fl],
                                               capture_output=True).stdout)
    rows = len(re.findall(r'<td class="rank">', dom))
    report(rows == len(j['causes']) + len(j['incomplete']['reasons']),
           '%s: the chart has a row per cause and incomplete reason (%d)' % (lang, rows))
    report(len(re.findall(r'<section class="cause', dom)) == rows,
           '%s: a block per cause, each linked from its bar' % lang)
    names = re.findall(r'PC-\d{6}', dom)
    report(len(set(names)) == j['devices'], '%s: every device is on the page (%d)' % (lang, len(set(names))))
    report('<script' not in dom and not re.search(r'(https?:)?//[a-z]', ' '.join(
        re.findall(r'(?:src|href)="[^"]*"', dom))), '%s: no script, no outside link in the DOM' % lang)
    err = d.stderr.decode('utf-8', 'replace')
    report('Refused to' not in err and 'net::ERR' not in err,
           '%s: Chromium fetched nothing and refused nothing' % lang)
    if lang == 'en':
        os.makedirs(OUTDIR, exist_ok=True)
        shot = os.path.join(OUTDIR, 'fleet.png')
        s = chromium(['--screenshot=' + shot, '--window-size=1280,1600'], page)
        report(os.path.isfile(shot) and os.path.getsize(shot) > 10000,
               'a screenshot is kept as %s' % shot)
shutil.rmtree(tmp, ignore_errors=True)
shutil.rmtree(fl, ignore_errors=True)
print(f'1..{n}')
sys.exit(1 if failed else 0)
