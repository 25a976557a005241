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
else:
    sys.exit(f"make_seeds.py: no seeds for target {name!r}")
if n == 0:
    sys.exit(f"make_seeds.py: no seeds found for {name}")
print(f"{n} seeds for {name}")
