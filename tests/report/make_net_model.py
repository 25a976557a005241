#!/usr/bin/env python3
"""make_net_model.py BASE.json OUT.json - a synthetic report model with the
network findings of the probe's contract (branch probe, diag/net/check_net.c):
a device behind a TLS-inspecting proxy. Used until the probe's findings are
merged, so the HTML connectivity table, its screenshot and the schema can be
tested; the evidence keys follow check_net.c exactly.

BASE is a real JSON report (of healthy-win11); its device and local
findings are kept, the network findings and the verdict are replaced."""
import json
import sys

ISSUER = "CN=Contoso TLS Inspection CA, O=Contoso Ltd, C=JP"
ROOT = "CN=Contoso Root CA <script>alert(6)</script>, O=Contoso Ltd"


def endpoint(host, port, cat, cats, required, result, sev, **kw):
    ev = {"host": host, "port": port, "category": cat, "categories": cats,
          "required": required, "result": result, "id": cat + ":" + host,
          "url": ("https://%s/test" if port == 443 else "http://%s/") % host,
          "address": "127.0.0.1", "proxy": "proxy.contoso.local:8080",
          "proxy_source": "winhttp", "resolved": ["127.0.0.1"],
          "dns_ms": 2, "connect_ms": 1, "proxy_ms": 4}
    ev.update(kw)
    if result == "ok":
        ev.update(tls_ms=18 if port == 443 else None, http_ms=9, http_status=200 if port == 443 else 404,
                  expected_status=200, status_line="HTTP/1.1 200 OK")
    f = {"id": "net.endpoint", "variant": result, "severity": sev,
         "title": "", "detail": "", "guidance": "", "evidence": ev}
    return f


def main():
    base = json.load(open(sys.argv[1], encoding="utf-8"))
    local = [f for f in base["findings"]
             if f["id"] not in ("verdict", "reonboard.plan")]
    d = base["device"]
    d.update(streamlined="no", geo="US", datacenter="CentralUs",
             winhttp_proxy="proxy.contoso.local:8080", static_proxy="")
    intercepted = dict(phase="tls", issuer=ISSUER, root=ROOT,
                       subject="CN=winatp-gw-cus.microsoft.com, OU=" + "<i>\"x'&" * 2000,
                       reason="certificate chain ends at an unexpected root",
                       tls_detail="not trusted", tls_ms=21)
    eps = [
        endpoint("winatp-gw-cus.microsoft.com", 443, "cnc", ["cnc"], True,
                 "tls-intercepted", "error", **intercepted),
        endpoint("winatp-gw-eus.microsoft.com", 443, "cnc", ["cnc"], True,
                 "tls-intercepted", "error",
                 **dict(intercepted, subject="CN=winatp-gw-eus.microsoft.com")),
        endpoint("us-v20.events.data.microsoft.com", 443, "cyber", ["cyber"],
                 True, "ok", "info"),
        endpoint("events.data.microsoft.com", 443, "cyber", ["cyber"], True,
                 "ok", "info"),
        endpoint("unitedstates.cp.wd.microsoft.com", 443, "av-cloud",
                 ["av-cloud", "sample-upload"], True, "ok", "info"),
        endpoint("automatedirstrprdcus.blob.core.windows.net", 443, "autoir",
                 ["autoir"], True, "proxy-denied", "error", phase="proxy",
                 reason="proxy answered 403", proxy_status_line="HTTP/1.1 403 Forbidden",
                 block_title="Access Denied \"by policy\" <b>" + " blocked" * 1300),
        endpoint("nav.smartscreen.microsoft.com", 443, "smartscreen",
                 ["smartscreen"], True, "ok", "info"),
        endpoint("crl.microsoft.com", 80, "crl", ["crl"], True, "ok", "info",
                 tls_ms=None),
        endpoint("go.microsoft.com", 443, "updates", ["updates"], False,
                 "timeout", "warning", phase="http", reason="no answer in 10 s",
                 tls_ms=22),
    ]
    for e in eps:
        e["evidence"] = {k: v for k, v in e["evidence"].items() if v is not None}
    net = [
        {"id": "net.tls-inspection", "severity": "error", "evidence": {
            "hosts": ["winatp-gw-cus.microsoft.com", "winatp-gw-eus.microsoft.com"],
            "hosts_summary": "winatp-gw-cus.microsoft.com, winatp-gw-eus.microsoft.com", "host_count": 2,
            "issuers": [ISSUER], "roots": [ROOT], "issuer": ISSUER, "root": ROOT}},
        {"id": "net.proxy.denied", "severity": "error", "evidence": {
            "hosts": ["automatedirstrprdcus.blob.core.windows.net"],
            "hosts_summary": "automatedirstrprdcus.blob.core.windows.net", "host_count": 1,
            "proxies": ["proxy.contoso.local:8080"], "proxy": "proxy.contoso.local:8080",
            "proxy_source": "winhttp", "address": "127.0.0.1", "reason": "proxy answered 403",
            "status_line": "HTTP/1.1 403 Forbidden", "block_title": "Access Denied"}},
        {"id": "net.edr-cnc", "variant": "failed", "severity": "error", "evidence": {
            "destinations": 2, "failed": 2, "not_probed": 0,
            "failed_hosts": [{"host": "winatp-gw-cus.microsoft.com", "result": "tls-intercepted", "required": True},
                             {"host": "winatp-gw-eus.microsoft.com", "result": "tls-intercepted", "required": True}],
            "classes": ["tls-intercepted"]}},
        {"id": "net.cyber", "variant": "ok", "severity": "info", "evidence": {
            "destinations": 2, "failed": 0, "not_probed": 0, "failed_hosts": [], "classes": []}},
        {"id": "net.autoir", "variant": "failed", "severity": "warning", "evidence": {
            "destinations": 1, "failed": 1, "not_probed": 0,
            "failed_hosts": [{"host": "automatedirstrprdcus.blob.core.windows.net", "result": "proxy-denied", "required": True}],
            "classes": ["proxy-denied"]}},
    ] + eps + [
        {"id": "net.mode", "variant": "standard", "severity": "info", "evidence": {
            "mode": "standard", "geo": "US", "dc": "cus", "datacenter": "CentralUs",
            "partnerGeoLocation": "", "vortexGeoLocation": "US", "regions_probed": "US",
            "lists_probed": "standard"}},
        {"id": "net.proxy.winhttp", "variant": "proxy", "severity": "info", "evidence": {
            "value": "18000000030000000300000018000000...", "length": 64, "flags": 3,
            "proxy": "proxy.contoso.local:8080", "bypass": "<local>"}},
    ]
    for f in net:
        for k in ("title", "detail", "guidance"):
            f.setdefault(k, "")
        f["section"] = "connectivity"  # as dx_report_model names it
        # every probe looked: found a problem, or found none (docs/verdict.md)
        f.setdefault("outcome", "clear" if f["severity"] == "info" else "found")
    findings = local[:]
    # article order: connectivity after sense/onboarding, before antivirus
    cut = next(i for i, f in enumerate(findings) if f["id"].startswith(("mdav.", "agent.")))
    findings[cut:cut] = net
    errors = sum(f["severity"] == "error" for f in findings)
    warnings = sum(f["severity"] == "warning" for f in findings)
    infos = sum(f["severity"] == "info" for f in findings)
    findings.append({"id": "verdict", "severity": "error", "outcome": "found",
                     "title": "", "detail": "",
                     "guidance": "", "evidence": {"cause": "net.tls-inspection",
                                                  "errors": errors, "warnings": warnings}})
    base["findings"] = findings
    base["summary"] = {"error": errors, "warning": warnings, "info": infos}
    base["source"] = "synthetic: tests/report/make_net_model.py"
    base["verdict"] = {"id": "net.tls-inspection", "severity": "error",
                       "section": "connectivity", "title": "",
                       "detail": "", "next_step": "", "evidence": net[0]["evidence"],
                       "rule": "cause-found", "not_determined": [], "to_check": []}
    json.dump(base, open(sys.argv[2], "w", encoding="utf-8"), indent=1, ensure_ascii=False)


if __name__ == "__main__":
    main()
