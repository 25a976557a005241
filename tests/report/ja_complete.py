#!/usr/bin/env python3
"""Japanese reports are Japanese: no value word of the tool's own (states,
methods, results, yes/no, "not set") reaches a Japanese sentence raw, no
template breaks on an empty value, GPO paths are named as the Japanese UI
names them, and the article's terms are used. Every bundled fixture, and
every harness scenario when SCENARIO_REPORTS names a directory of reports
(report-scenario-formats sets it), in the JSON model and in the text."""
import glob
import json
import os
import re
import sys

from common import HERE, OUTDIR, check, diag, finish, fixtures, name, render

CAT = json.load(open(os.path.join(HERE, "..", "..", "data", "messages-ja.json"), encoding="utf-8"))
# A word the tool chose (an enumeration), not the device's data: lower-case
# words with '-' or ' ' ("script-gpo-mecm", "not set", "present, empty"),
# or an upper-case state ("STOPPED", "AUTO_START"). Paths, hosts, versions,
# GUIDs and proper nouns do not match.
WORD = r"[a-z][a-z0-9]*(?:[- ][a-z0-9]+){0,2}"
CODE_WORD = re.compile(r"^(?:%s(?:, %s)*|[A-Z]{4,}(?:_[A-Z]+)*)$" % (WORD, WORD))
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# Literal leaks the issue saw, wherever they are in a sentence.
BANNED = ("not set", "Computer Configuration", "Administrative Templates", "Sense の機能")
PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_]+)\}")


def template(id_, variant, field):
    msgs = CAT["messages"]
    for key in ([id_ + "/" + variant] if variant else []) + [id_]:
        m = msgs.get(key)
        if m and field in m:
            return m[field]
    return None


def check_finding(label, f, fields):
    n = 0
    ev = f.get("evidence", {})
    for field, rendered_key in fields:
        t = template(f["id"], f.get("variant", ""), field)
        rendered = f.get(rendered_key, "")
        if not t or not isinstance(rendered, str):
            continue
        for key in PLACEHOLDER.findall(t):
            v = ev.get(key)
            if isinstance(v, bool):
                v = "yes" if v else "no"
            if isinstance(v, list):
                vals = [x for x in v if isinstance(x, str)]
            else:
                vals = [v] if isinstance(v, str) else []
            for val in vals:
                n += 1
                if val == "":
                    check(not re.search(r"(?:^|[^ ])  (?:[^ ]|$)", rendered),
                          "%s: %s.%s renders empty {%s} as a gap: %r" % (label, f["id"], field, key, rendered))
                elif CODE_WORD.match(val) and not GUID.match(val) and val not in t:
                    check(not re.search(r"(?<![A-Za-z0-9_./-])%s(?![A-Za-z0-9_./:-])" % re.escape(val), rendered),
                          "%s: %s.%s: untranslated {%s}=%r in %r" % (label, f["id"], field, key, val, rendered))
        said = " ".join(str(ev.get(k)) for k in PLACEHOLDER.findall(t))  # the device's own words
        for b in BANNED:
            check(b not in rendered or b in said, "%s: %s.%s contains %r" % (label, f["id"], field, b))
            n += 1
    return n


def check_model(label, model):
    n = 0
    for f in model["findings"]:
        n += check_finding(label, f, [("title", "title"), ("detail", "detail"), ("guidance", "guidance")])
    v = model["verdict"]
    if v.get("id") and "evidence" in v:
        n += check_finding(label + "/verdict", v, [("title", "title"), ("detail", "detail"),
                                                    ("guidance", "next_step")])
    return n


def check_text(label, text):
    for b in BANNED:
        check(b not in text, "%s: the ja text contains %r" % (label, b))
    return len(BANNED)


# What the probe (diag/probe.c, probe_parse.c, check_net.c) and the WPAD and
# PAC code (wpad.c, pac.c, check_pac.c) write in English, one sample of
# each sentence, as the evidence member that carries it: a Japanese report
# says each in Japanese (the catalog's "phrases"), in the text and in the
# HTML, wherever it is shown (a detail, the connectivity table, the
# evidence tables). Device and network data inside them (hosts, status
# lines, the OS's error text) stay as they are.
REASONS = [
    ("refused", "reason", "connect: connection refused"),
    ("reset", "reason", "tls: connection reset by peer"),
    ("reset", "reason", "http: connection closed by peer before a reply"),
    ("reset", "reason", "tls: connection reset during the handshake"),
    ("reset", "reason", "tls: connection closed during the handshake, without a TLS alert"),
    ("reset", "reason", "http: connection closed before an HTTP reply"),
    ("timeout", "reason", "connect: no TCP answer within 3000 ms"),
    ("timeout", "reason", "proxy: no reply to CONNECT within 3000 ms"),
    ("timeout", "reason", "tls: handshake not finished within 3000 ms"),
    ("timeout", "reason", "http: no complete reply within 3000 ms"),
    ("dns", "reason", "NXDOMAIN: winatp-gw-cus.microsoft.com: no such host (NXDOMAIN)"),
    ("dns", "reason", "SERVFAIL: winatp-gw-cus.microsoft.com: the DNS server failed (SERVFAIL)"),
    ("tls-failed", "reason", "certificate expired (CN=winatp-gw-cus.microsoft.com)"),
    ("tls-failed", "reason", "wrong name: certificate \"CN=other.example\" does not cover winatp-gw-cus.microsoft.com"),
    ("tls-failed", "reason", "certificate not yet valid (CN=winatp-gw-cus.microsoft.com)"),
    ("tls-failed", "reason", "handshake failure: SSL - A fatal alert message was received from our peer (-0x7780)"),
    ("tls-failed", "tls_detail", "The certificate validity has expired"),
    ("tls-intercepted", "reason", "certificate chain does not lead to an expected root: issuer \"CN=Contoso CA\", root \"CN=Contoso Root\""),
    ("tls-intercepted", "tls_detail", "The certificate is not correctly signed by the trusted CA"),
    ("proxy-auth", "reason", "proxy requires authentication: HTTP/1.1 407 Proxy Authentication Required"),
    ("proxy-denied", "reason", "proxy denied the request: HTTP/1.1 403 Forbidden - Access Denied"),
    ("proxy-failed", "reason", "proxy proxy.contoso.local:8080 unreachable: connection refused"),
    ("proxy-failed", "reason", "proxy proxy.contoso.local:8080 unreachable: no TCP answer within 3000 ms"),
    ("proxy-failed", "reason", "proxy name proxy.contoso.local does not resolve (NXDOMAIN): no such host"),
    ("proxy-failed", "reason", "proxy closed the connection without answering CONNECT"),
    ("http-status", "reason", "unexpected HTTP status: HTTP/1.1 500 Internal Server Error"),
    ("ok", "route_reason", "no proxy configured (TelemetryProxyServer and the WinHTTP proxy are unset)"),
    ("ok", "route_reason", "the PAC script found by WPAD answered PROXY p:8080"),
    ("ok", "route_reason", "the OS fetches CRLs through WinHTTP: TelemetryProxyServer does not apply (no PreferStaticProxyForHttpRequest)"),
    ("ok", "pac_error", "ran longer than 300 ms (stopped)"),
    ("ok", "pac_error", "the script defines neither FindProxyForURL nor FindProxyForURLEx"),
    ("ok", "pac_error", "SyntaxError: invalid token (line 3) (the script is not UTF-8: read as Latin-1)"),
    ("ok", "pac_error", "the PAC file is larger than 1048576 bytes (not read further)"),
    ("ok", "pac_error", "cannot connect to 127.0.0.1:80: connection refused"),
    ("ok", "effect", "Sense connects directly"),
    ("ok", "effect", "Sense falls back to a direct connection"),
    ("ok", "effect", "a static or WinHTTP proxy decides the route; WPAD is not used"),
]
ENGLISH = re.compile(r"[a-z]{2,}(?: [a-z]{2,}){2,}")


def reasons_model():
    """healthy-win11's report with one net.endpoint finding per sample."""
    base = json.loads(diag(os.path.join(os.path.dirname(fixtures()[0]), "healthy-win11.json"), "json")[0])
    for i, (result, key, text) in enumerate(REASONS):
        ev = {"host": "h%d.example" % i, "port": 443, "category": "cnc", "categories": ["cnc"],
              "required": True, "result": result, "url": "https://h%d.example/" % i,
              "address": "127.0.0.1", "phase": "tls", "reason": "x"}
        ev[key] = text
        base["findings"].insert(0, {"id": "net.endpoint", "variant": result, "severity": "error",
                                    "section": "connectivity", "title": "", "detail": "", "guidance": "",
                                    "evidence": ev})
    path = os.path.join(OUTDIR, "model-reasons.json")
    json.dump(base, open(path, "w", encoding="utf-8"), ensure_ascii=False)
    return path


def check_reasons(label, texts, samples):
    """No sentence of `samples` (English reasons) is left in the ja
    renderings `texts`: neither whole nor three English words of it."""
    n = 0
    for text in texts:
        for s in samples:
            words = [w for w in ENGLISH.findall(s) if w not in ("no such host",)]
            left = [w for w in words if w in text]
            check(s not in text and not left, "%s: English left in Japanese: %r (from %r)" % (label, left or s, s))
            n += 1
    return n


def main():
    checked = 0
    # probe and PAC reasons (issue 21)
    path = reasons_model()
    html = re.sub(r"<[^>]+>", "", render(path, "html", "ja").decode("utf-8")).replace("&quot;", '"')
    text = render(path, "text", "ja", 100, "verbose").decode("utf-8")
    checked += check_reasons("reasons", [html, text], [t for _, _, t in REASONS])
    check("接続が拒否されました" in html and "PAC ファイルが 1048576 バイトを超えています" in html,
          "reasons: the Japanese phrases are not in the HTML")
    checked += 1
    for fx in fixtures():
        model = json.loads(diag(fx, "json", "ja")[0])
        checked += check_model(name(fx), model)
        checked += check_text(name(fx), diag(fx, "text", "ja")[0].decode())
    rdir = os.environ.get("SCENARIO_REPORTS") or (sys.argv[1] if len(sys.argv) > 1 else "")
    if rdir:
        paths = sorted(p for p in glob.glob(os.path.join(rdir, "*.json"))
                       if os.path.basename(p) != "summary.json")  # the harness's counts
        check(paths, "no scenario reports in " + rdir)
        for path in paths:
            ja = json.loads(render(path, "json", "ja"))
            checked += check_model("scenario " + name(path), ja)
            checked += check_text("scenario " + name(path), render(path, "text", "ja").decode())
    finish(checked)


if __name__ == "__main__":
    main()
