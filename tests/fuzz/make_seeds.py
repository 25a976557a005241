#!/usr/bin/env python3
"""make_seeds.py NAME SOURCE_ROOT OUTDIR - writes the seed corpus of fuzz
target NAME, generated from the repository's fixtures and tests (nothing
is copied into tests/fuzz/ but a few hand-made seeds below)."""
import base64, glob, hashlib, json, os, re, sys

name, root, out = sys.argv[1:4]
os.makedirs(out, exist_ok=True)
n = 0


def seed(data):
    global n
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(out, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)
    n += 1


def files(pattern):
    return sorted(glob.glob(os.path.join(root, pattern), recursive=True))


def json_files():
    """Every JSON document under fixtures/ (devices, scenarios, malformed)."""
    for p in files("fixtures/**/*.json"):
        try:
            with open(p, "rb") as f:
                yield p, f.read()
        except OSError:
            pass


def registry_values(value_name):
    """Each registry value called value_name anywhere in the fixtures."""
    found = []

    def walk(o):
        if isinstance(o, dict):
            for k, v in o.items():
                if k == value_name:
                    found.append(v)
                walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)
    for _, b in json_files():
        try:
            walk(json.loads(b))
        except (ValueError, RecursionError):
            pass
    return found


if name in ("fixture", "pipeline"):
    for p, b in json_files():
        if p.endswith("expected-verdicts.json") or "/scenarios/" in p:
            continue
        if name == "pipeline" and "/malformed/" in p:
            continue
        seed(b)
    for p in files("tests/report/fixtures/*.json"):
        seed(open(p, "rb").read())
elif name == "winhttp":
    for v in registry_values("WinHttpSettings"):
        if isinstance(v, dict) and "hex" in v:
            seed(bytes.fromhex(re.sub(r"[^0-9a-fA-F]", "", v["hex"])))
    proxy, bypass = b"proxy.contoso.com:8080", b"<local>;*.contoso.com"
    seed(b"\x18\0\0\0\x02\0\0\0\x03\0\0\0" + (17).to_bytes(4, "little") + b"http=a:80;https=b"
         + b"\0\0\0\0")
    seed(b"\x18\0\0\0\x01\0\0\0\x03\0\0\0" + len(proxy).to_bytes(4, "little") + proxy
         + len(bypass).to_bytes(4, "little") + bypass)
elif name == "netstr":
    for v in registry_values("TelemetryProxyServer"):
        if isinstance(v, str):
            seed(v)
    for s in ("proxy.contoso.com:8080", "http://[fd00::1]:3128", "10.0.0.1",
              "http=p1:80;https=p2:443", "<local>;*.microsoft.com\nwinatp-gw-eus.microsoft.com",
              "*.contoso.com, 10.*\nlocalhost", ":443:127.0.0.1:4443",
              "winatp-gw-eus.microsoft.com:443:[::1]:8443", "::127.0.0.1:"):
        seed(s)
elif name == "onboarded":
    for v in registry_values("OnboardedInfo"):
        if isinstance(v, str):
            seed(v)
    # the streamlined form and datacenters of each geo, by hand
    for body in ({"orgId": "o", "partnerGeoLocation": "GW_EU", "datacenter": "WestEurope"},
                 {"orgId": "o", "vortexGeoLocation": "UK", "datacenter": "UkSouth"},
                 {"orgId": "o", "vortexGeoLocation": "AU", "datacenter": "AustraliaEast2"},
                 {"orgId": "o", "partnerGeoLocation": "GW_US", "datacenter": "EastUs2"}):
        seed(json.dumps({"body": json.dumps(body), "sig": "x"}))
elif name == "probe_reply":
    for s in ("HTTP/1.1 200 Connection established\r\nVia: 1.1 proxy\r\n\r\n\x16\x03\x03",
              "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: NTLM\r\n"
              "Proxy-Authenticate: Basic realm=\"corp\"\r\nContent-Length: 44\r\n\r\n"
              "<html><title>Auth needed</title></html>",
              "HTTP/1.0 403 Forbidden\r\nContent-Type: text/html\r\nContent-Length: 60\r\n\r\n"
              "<html><head><TITLE>Access Denied</TITLE></head></html>",
              "HTTP/1.1 404 Not Found\r\nServer: Microsoft-HTTPAPI/2.0\r\n\r\n",
              "HTTP/1.1 2001 OK\r\n\r\n", "SSH-2.0-OpenSSH\r\n"):
        seed(s)
elif name == "chain":
    # the expected roots (data/roots and the Debian store names they come
    # from) as one-certificate chains, and pairs of them
    ders = []
    pems = files("data/roots/*.pem")
    for p in sorted(glob.glob("/usr/share/ca-certificates/mozilla/*Microsoft*.crt")) + \
            sorted(glob.glob("/usr/share/ca-certificates/mozilla/DigiCert_Global_Root_G2.crt")):
        pems.append(p)
    for p in pems:
        text = open(p).read()
        for m in re.finditer(r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", text, re.S):
            ders.append(base64.b64decode("".join(m.group(1).split())))
    framed = [len(d).to_bytes(2, "big") + d for d in ders]
    for f in framed:
        seed(f)
    for a, b in zip(framed, framed[1:]):
        seed(a + b)
elif name == "mc_head":
    for s in ("GET /pki/mscorp/crl/x.crl HTTP/1.1\r\nHost: crl.microsoft.com\r\n\r\n",
              "CONNECT winatp-gw-eus.microsoft.com:443 HTTP/1.1\r\nHost: winatp-gw-eus.microsoft.com:443\r\n"
              "Proxy-Authorization: Basic dXNlcjpwdw==\r\nProxy-Connection: keep-alive\r\n\r\n",
              "POST /x HTTP/1.1\r\nHost: [::1]:8443\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
              "GET / HTTP/1.0\n\n", "GET / HTTP/1.1\r\nHost: a\n\r\n",
              "PUT /config HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"):
        seed(s)
elif name == "mc_config":
    for p in files("tests/mockcloud/**/*.json"):
        seed(open(p, "rb").read())
    for p, b in json_files():
        if "/scenarios/" in p:
            try:
                cloud = json.loads(b).get("cloud")
            except (ValueError, RecursionError, AttributeError):
                continue
            if cloud is not None:
                seed(json.dumps(cloud))
elif name == "collect":
    # Collected files: device fixtures with a "network" section as collect
    # writes it (docs/collect.md), one record per result class and route
    # kind, a WPAD stage, and a --no-network collection.
    def record(i, result, route="direct"):
        r = {"id": f"cnc-{i}", "host": "winatp-gw-eus.microsoft.com", "port": 443,
             "scheme": "https", "path": "/test", "expect": 200, "category": "cnc",
             "categories": ["cnc", "cyber"], "required": True, "geo": "US",
             "route": {"method": "direct", "source": "none", "reason": "no proxy is set",
                       "route_source": "direct"},
             "dns": {"name": "winatp-gw-eus.microsoft.com", "status": "ok",
                     "addresses": ["20.42.73.1", "fd00::1"]},
             "address": "20.42.73.1:443", "connect_to": "", "result": result,
             "phase": "tls", "reason": f"{result} seen",
             "timings_ms": {"dns": 0.4, "connect": 1.25, "proxy": 0, "tls": 40.2, "http": 12.5}}
        if route != "direct":
            r["route"] = {"method": "proxy", "proxy_host": "proxy.contoso.local", "proxy_port": 8080,
                          "source": route, "reason": f"{route} proxy", "route_source": "wpad",
                          "pac_answer": "PROXY proxy.contoso.local:8080; DIRECT", "pac_rc": 0,
                          "pac_error": "", "os_answer": ""}
            r["proxy_reply"] = {"status": 403, "status_line": "HTTP/1.1 403 Forbidden",
                                "proxy_agent": "BlueCoat", "via": "1.1 corp-proxy",
                                "proxy_authenticate": "NTLM, Basic realm=\"corp\"",
                                "block_title": "Access Denied", "unreachable": False}
        if result in ("ok", "tls-intercepted", "tls-failed", "http-status"):
            r["http"] = {"status": 200 if result == "ok" else 503, "status_line": "HTTP/1.1 200 OK"}
            r["tls"] = {"subject": "CN=winatp-gw-eus.microsoft.com", "issuer": "CN=Microsoft Azure RSA TLS Issuing CA 04",
                        "root": "CN=DigiCert Global Root G2", "detail": "", "expected_root": result != "tls-intercepted",
                        "presented": 2,
                        "chain": [{"subject": "CN=a", "issuer": "CN=b", "not_before": "2026-01-01T00:00:00Z",
                                   "not_after": "2028-01-01T00:00:00Z", "ski": "16203451", "aki": "9bd49760"}]}
        return r
    classes = ["ok", "dns", "refused", "reset", "timeout", "proxy-denied", "proxy-auth",
               "proxy-failed", "tls-intercepted", "tls-failed", "http-status", "not-probed"]
    wpad = {"stage": 3, "detect_status": 0, "detect_code": 0, "detect_error": "",
            "url": "http://wpad.contoso.local/wpad.dat", "method": "dhcp", "inline_script": False,
            "fetch_address": "10.0.0.7:80", "fetch_connect_to": "", "http_status": 200,
            "script_bytes": 412, "error": "", "pac_rc": 0, "load_ms": 3.5,
            "entry_point": "FindProxyForURL", "alerts": "hello", "os_error": ""}
    def network(recs, **extra):
        n = {"format": 1, "tool": "mdediag 0.1.0", "collected_at": "2026-11-30T04:00:00Z",
             "options": {"no_network": False, "timeout_ms": 10000, "anchors": "",
                         "connect_to": [":443:127.0.0.1:4443"]},
             "probe_error": "", "destinations": recs}
        n.update(extra)
        return n
    sections = [network([record(i, c, "static" if i % 2 else "direct") for i, c in enumerate(classes)]),
                network([record(0, "proxy-denied", "pac")], wpad=wpad),
                network([], not_tested="--no-network: the network was not tested",
                        options={"no_network": True, "timeout_ms": 5000, "anchors": "", "connect_to": []})]
    for dev in ("healthy-win11.json", "sense-stopped-event10.json"):
        with open(os.path.join(root, "fixtures/devices", dev)) as f:
            fx = json.load(f)
        for sec in sections:
            fx["network"] = sec
            seed(json.dumps(fx))
    for sec in sections:
        seed(json.dumps({"network": sec}))
elif name == "pac":
    # the PAC scripts of the scenarios and tests, and a few by hand that
    # reach each helper the scripts may call
    for p, b in json_files():
        def walk(o):
            if isinstance(o, dict):
                for v in o.values():
                    walk(v)
            elif isinstance(o, list):
                for v in o:
                    walk(v)
            elif isinstance(o, str) and "FindProxyForURL" in o and len(o) < 65536:
                seed(o)
        try:
            walk(json.loads(b))
        except (ValueError, RecursionError):
            pass
    for p in files("tests/**/*.pac") + files("fixtures/**/*.pac") + files("fixtures/**/*.dat"):
        seed(open(p, "rb").read())
    for body in (
            'return "DIRECT";',
            'if (isPlainHostName(host) || dnsDomainIs(host, ".contoso.com")) return "DIRECT";'
            ' return "PROXY proxy.contoso.com:8080; DIRECT";',
            'if (isInNet(dnsResolve(host), "10.0.0.0", "255.0.0.0")) return "DIRECT";'
            ' if (shExpMatch(url, "*microsoft.com*")) return "PROXY [fd00::5]:3128";'
            ' return "SOCKS5 10.0.0.5:1080";',
            'if (isResolvable(host) && localHostOrDomainIs(host, "winatp-gw-eus")) return "HTTPS p:443";'
            ' if (weekdayRange("MON", "FRI") && timeRange(8, 18)) return "PROXY p:80";'
            ' if (dateRange("JAN", "DEC")) return "DIRECT"; alert(myIpAddress()); return "DIRECT";',
            'return dnsDomainLevels(host) > 2 ? "PROXY a:1; PROXY b:2" : "DIRECT";'):
        seed("function FindProxyForURL(url, host) { " + body + " }")
    seed('function FindProxyForURLEx(url, host) { var a = dnsResolveEx(host);'
         ' if (isInNetEx(a, "fd00::/8")) return "PROXY v6.contoso.com:8080";'
         ' return sortIpAddressList(myIpAddressEx()) ? "DIRECT" : "PROXY p:1"; }')
    seed("function FindProxyForURL(u, h) { while (true) {} }")
    seed("function FindProxyForURL(u, h) { return FindProxyForURL(u, h); }")
    seed("function FindProxyForURL(u, h) { var s = 'x'; for (;;) s += s; }")
    seed("function FindProxyForURL(u, h) { throw 'line one\\nline two'; }")
elif name == "pac_helpers":
    # byte 0 = the helper's index in fuzz_pac_helpers.c's helpers[], then
    # its arguments one per line: the calls a PAC script typically makes
    calls = {
        0: ["intranet"], 1: ["www.contoso.com", ".contoso.com"],
        2: ["www", "www.contoso.com"], 3: ["proxy.contoso.com"], 4: ["dual.contoso.com"],
        5: ["proxy.contoso.com"], 6: ["dual.contoso.com"], 7: [], 8: [],
        9: ["a.b.c.d"], 10: ["winatp-gw-eus.microsoft.com", "*.microsoft.com"],
        11: ["10.0.0.5"], 12: ["proxy.contoso.com", "10.0.0.0", "255.0.0.0"],
        13: ["fd00::6", "fd00::/8"], 14: ["10.0.0.6;fd00::6;2001:db8::1;10.0.0.5"],
        15: [], 16: ["hello"], 17: ["MON", "FRI", "GMT"], 18: ["1", "JAN", "2026", "31", "DEC", "2027"],
        19: ["8", "30", "17", "45", "GMT"],
    }
    for i, args in calls.items():
        seed(bytes([i]) + "\n".join(args).encode())
    seed(bytes([10]) + b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n*a*a?b")
    seed(bytes([5]) + b"proxy.contoso.com\x00.evil")
else:
    sys.exit(f"make_seeds.py: no seeds for target {name!r}")
if n == 0:
    sys.exit(f"make_seeds.py: no seeds found for {name}")
print(f"{n} seeds for {name}")
