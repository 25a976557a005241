#!/usr/bin/env python3
"""Opens HTML reports in headless Chromium (Debian's `chromium`): the DOM
Chromium builds holds the verdict and the tables, no <script> came from the
device, and a screenshot of each report is saved under the build tree
(OUTDIR/screenshots/*.png). Exits 77 (skipped) when chromium is absent;
scripts/setup.sh installs it."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser

from common import (FIXTURES, HOSTILE, OUTDIR, check, diag, finish, net_model, real_net_model,
                    render)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--disable-extensions", "--hide-scrollbars"]


class Dom(HTMLParser):
    """Text by element id, and the tags seen."""

    def __init__(self):
        super().__init__()
        self.stack, self.text, self.tags, self.rows = [], {}, set(), {}

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        a = dict(attrs)
        if tag in ("meta", "col", "br", "wbr", "link", "img", "input"):
            return
        self.stack.append(a.get("id"))
        if tag == "tr":
            for i in self.stack:
                if i:
                    self.rows[i] = self.rows.get(i, 0) + 1

    def handle_endtag(self, tag):
        if tag in ("meta", "col", "br", "wbr") or not self.stack:
            return
        self.stack.pop()

    def handle_data(self, data):
        for i in self.stack:
            if i:
                self.text[i] = self.text.get(i, "") + data


def chromium(args, html_path):
    with tempfile.TemporaryDirectory() as profile:
        p = subprocess.run([CHROMIUM] + FLAGS + ["--user-data-dir=" + profile] + args +
                           ["file://" + os.path.abspath(html_path)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=90)
    return p


def main():
    if not CHROMIUM:
        print("SKIP: chromium is not installed (apt-get install chromium, "
              "or scripts/setup.sh); the browser test needs it")
        sys.exit(77)
    shots = os.path.join(OUTDIR, "screenshots")
    os.makedirs(shots, exist_ok=True)
    model = real_net_model() or net_model()  # a real probe run when the mock cloud is built
    cases = [
        # name, html bytes, texts the verdict must hold, sections that must exist
        ("sense-stopped-event15-en", diag(os.path.join(FIXTURES, "sense-stopped-event15.json"), "html")[0],
         ["Most likely cause", "WDATPOnboarding event 15", "wevtutil.exe"], []),
        ("sense-stopped-event15-ja", diag(os.path.join(FIXTURES, "sense-stopped-event15.json"), "html", "ja")[0],
         ["最も可能性の高い原因", "Sense サービスを開始できませんでした"], []),
        ("healthy-win11-ja", diag(os.path.join(FIXTURES, "healthy-win11.json"), "html", "ja")[0],
         ["判定できません", "通信テストを実行していません"], ["not-tested"]),
        ("hostile-en", diag(HOSTILE, "html")[0], ["Most likely cause"], []),
        ("tls-inspection-en", render(model, "html", "en"),
         ["TLS inspection intercepts", "Contoso TLS Inspection CA"], ["connectivity-table"]),
        ("tls-inspection-ja", render(model, "html", "ja"),
         ["TLS インスペクション", "Contoso TLS Inspection CA"], ["connectivity-table"]),
    ]
    checked = 0
    t0 = time.time()
    for label, html, verdict_texts, sections in cases:
        path = os.path.join(OUTDIR, label + ".html")
        open(path, "wb").write(html)
        p = chromium(["--dump-dom"], path)
        dom = p.stdout.decode("utf-8", "replace")
        if not check(p.returncode == 0 and "<html" in dom, "%s: chromium failed (%d): %s"
                     % (label, p.returncode, p.stderr.decode(errors="replace")[-300:])):
            continue
        d = Dom()
        d.feed(dom)
        check("script" not in d.tags and "img" not in d.tags and "iframe" not in d.tags,
              "%s: the DOM has %s" % (label, sorted(d.tags & {"script", "img", "iframe", "svg"})))
        check(not re.search(r"<script", dom, re.I), label + ": <script in the DOM")
        for t in verdict_texts:
            check(t in d.text.get("verdict", ""), "%s: verdict lacks %r" % (label, t))
        for sec in ["general-device-details", "edr-component-details", "av-component-details",
                    "summary", "detailed-results"] + sections:
            check(d.rows.get(sec, 0) > 0 or d.text.get(sec), "%s: #%s missing or empty" % (label, sec))
        check(d.rows.get("detailed-results", 0) >= 3, label + ": detailed results have no rows")
        # the Client Analyzer's field names are there
        for field in ("System-wide WinHTTP proxy", "Sense Service Discovered Proxy",
                      "Device Onboarded via Streamlined Connectivity"):
            check(field in dom, "%s: field %r missing" % (label, field))
        if sections:
            if "connectivity-table" in sections:
                check(d.rows.get("connectivity-table", 0) >= 5, label + ": connectivity table too short")
        checked += 6 + len(verdict_texts) + len(sections)
        png = os.path.join(shots, label + ".png")
        if os.path.exists(png):
            os.unlink(png)
        p = chromium(["--screenshot=" + png, "--window-size=1280,2000"], path)
        ok = os.path.exists(png) and open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
        check(ok and os.path.getsize(png) > 20000, "%s: no screenshot (%s)" % (label, png))
        checked += 1
        print("%s: DOM ok, screenshot %s" % (label, png))
    print("chromium: %d reports in %.1f s" % (len(cases), time.time() - t0))
    finish(checked)


if __name__ == "__main__":
    main()
