#!/usr/bin/env bash
# proxies.sh - every forward-proxy mode, several proxies at once, driven
# with curl --proxy; asserts statuses, headers, bodies and issuers.
. "$(dirname "$0")/lib.sh"

cat > "$T/config.json" <<'JSON'
{
 "hosts": {
  "winatp-gw-cus.microsoft.com": {"faults": [{"type": "refuse"}]},
  "winatp-gw-eus.microsoft.com": {"faults": [{"type": "reset"}]},
  "winatp-gw-weu3.microsoft.com": {"faults": [{"type": "tls-fail"}]},
  "winatp-gw-neu3.microsoft.com": {"faults": [{"type": "status", "code": 503}]},
  "winatp-gw-aus.microsoft.com": {"faults": [{"type": "refuse"}, {"type": "flaky", "times": 1}]}
 },
 "proxies": [
  {"name": "open", "as": "proxy.contoso.local:8080", "mode": "allow"},
  {"name": "block", "as": "block.contoso.local:8080", "mode": "deny", "deny": ["*.endpoint.security.microsoft.com", "winatp-gw-neu.microsoft.com"]},
  {"name": "allowlist", "as": "allowlist.contoso.local:3128", "mode": "allow", "allow": ["go.microsoft.com", "*.blob.core.windows.net"]},
  {"name": "basic", "as": "auth.contoso.local:8080", "mode": "auth-basic", "user": "alice", "password": "s3cret", "realm": "Contoso Gateway"},
  {"name": "ntlm", "as": "ntlm.contoso.local:8080", "mode": "auth-ntlm"},
  {"name": "mitm", "as": "inspect.contoso.local:8080", "mode": "intercept"}
 ]
}
JSON
start "$T/config.json"
for n in open block allowlist basic ntlm mitm; do eval "P_$n=$(proxy_port $n)"; done
check "ready line lists every proxy's advertised address as a connect-to rule" python3 -c "
import json,sys; r=json.load(open(sys.argv[1])); c=r['connect_to']
sys.exit(0 if 'proxy.contoso.local:8080:127.0.0.1:%d' % r['proxies']['open'] in c and c[-2:]==[':443:127.0.0.1:%d' % r['https'], ':80:127.0.0.1:%d' % r['http']] and c[0].startswith('winatp-gw-cus.microsoft.com:443:') else 1)" "$T/ready"

# The proxy is reached by its advertised name through the connect-to rules.
# curl resolves a proxy name itself (connect-to does not apply to it), so
# the advertised name maps to its port here the way the ready line says.
declare -A PXPORT
while read -r as port; do PXPORT[$as]=$port; done < <(python3 -c '
import json,sys; r=json.load(open(sys.argv[1]))
for c in r["connect_to"]:
    h,p,_,port=c.split(":")
    if h: print(h+":"+p, port)' "$T/ready")
pfetch() {
	local px=$1; shift
	# through a proxy the proxy maps targets: no connect-to (curl would
	# CONNECT to the rewritten address instead)
	NO_CONNECT_TO=1 fetch "$@" --proxy "http://127.0.0.1:${PXPORT[$px]}"
}

# --- allow ---
pfetch proxy.contoso.local:8080 https://winatp-gw-neu.microsoft.com/test
check "allow: CONNECT tunnel to the mock origin (200)" [ "$RC" = 0 -a "$CODE" = 200 -a "$BODY" = OK ]
echo | openssl s_client -proxy "127.0.0.1:$P_open" -connect winatp-gw-neu.microsoft.com:443 -servername winatp-gw-neu.microsoft.com 2>/dev/null |
	sed -n 's/^issuer=.*CN *= *\([^,]*\).*/\1/p' > "$T/iss0"
check "allow: issuer is the mock intermediate through the tunnel" [ "$(head -1 "$T/iss0")" = "Mock Secure Server CA 2026" ]
pfetch proxy.contoso.local:8080 http://crl.microsoft.com/pki/crl/products/
check "allow: absolute-form GET to a port-80 CRL host (404)" [ "$RC" = 0 -a "$CODE" = 404 ]
check "allow: absolute-form answer carries Via" has "$HEADERS" "Via: 1.1 proxy.contoso.local:8080"
pfetch proxy.contoso.local:8080 http://ctldl.windowsupdate.com/msdownload/update/v3/static/trustedr/en/disallowedcertstl.cab
check "allow: absolute-form GET ctldl (200)" [ "$CODE" = 200 ]
pfetch proxy.contoso.local:8080 https://winatp-gw-neu3.microsoft.com/test
check "allow: the target host's status fault applies through the tunnel (503)" [ "$CODE" = 503 ]
pfetch proxy.contoso.local:8080 https://winatp-gw-cus.microsoft.com/test -w '%{http_connect}'
checke "allow: refused upstream gives 502 Bad Gateway" '[ "$RC" = 56 ] && has "$ERR" "502"'
pfetch proxy.contoso.local:8080 https://winatp-gw-eus.microsoft.com/test
checke "allow: reset upstream gives 502 Bad Gateway" '[ "$RC" = 56 ] && has "$ERR" "502"'
pfetch proxy.contoso.local:8080 https://winatp-gw-weu3.microsoft.com/test
check "allow: upstream tls-fail reaches the client through the tunnel (exit 35)" [ "$RC" = 35 ]
pfetch proxy.contoso.local:8080 https://winatp-gw-aus.microsoft.com/test; r1=$RC
pfetch proxy.contoso.local:8080 https://winatp-gw-aus.microsoft.com/test
check "allow: flaky refuse through the proxy: 502 once, then 200" [ "$r1" = 56 -a "$RC" = 0 -a "$CODE" = 200 ]
pfetch proxy.contoso.local:8080 http://winatp-gw-cus.microsoft.com/test
checke "allow: absolute-form to a refused host gives 502 with a page" '[ "$CODE" = 502 ] && has "$BODY" "Bad Gateway"'

# --- deny list ---
pfetch block.contoso.local:8080 https://edr-cus.us.endpoint.security.microsoft.com/edr/test
checke "deny: CONNECT to a denied pattern gets 403" '[ "$RC" = 56 ] && has "$ERR" "403"'
pfetch block.contoso.local:8080 http://winatp-gw-neu.microsoft.com/test
check "deny: 403 Forbidden on a denied exact host" [ "$CODE" = 403 ]
check "deny: corporate block page" has "$BODY" "Access Denied"
check "deny: Proxy-Agent header" has "$HEADERS" "Proxy-Agent: Contoso-WebGateway"
check "deny: Via header" has "$HEADERS" "Via: 1.1 block.contoso.local:8080"
pfetch block.contoso.local:8080 https://go.microsoft.com/
check "deny: hosts not on the deny list pass (404 from go.microsoft.com)" [ "$RC" = 0 -a "$CODE" = 404 ]

# --- allow list ---
pfetch allowlist.contoso.local:3128 https://automatedirstrprdcus.blob.core.windows.net/
check "allow-list: listed pattern passes (400 from blob)" [ "$RC" = 0 -a "$CODE" = 400 ]
pfetch allowlist.contoso.local:3128 https://winatp-gw-neu.microsoft.com/test
checke "allow-list: unlisted host gets 403" '[ "$RC" = 56 ] && has "$ERR" "403"'

# --- auth-basic ---
pfetch auth.contoso.local:8080 http://crl.microsoft.com/pki/crl/products/
check "auth-basic: no credentials gives 407" [ "$CODE" = 407 ]
check "auth-basic: Basic challenge with realm" has "$HEADERS" 'Proxy-Authenticate: Basic realm="Contoso Gateway"'
pfetch auth.contoso.local:8080 https://winatp-gw-neu.microsoft.com/test
checke "auth-basic: CONNECT without credentials gets 407" '[ "$RC" = 56 ] && has "$ERR" "407"'
pfetch auth.contoso.local:8080 https://winatp-gw-neu.microsoft.com/test --proxy-user alice:wrong
checke "auth-basic: wrong password gets 407" '[ "$RC" != 0 ] && has "$ERR" "407"'
pfetch auth.contoso.local:8080 https://winatp-gw-neu.microsoft.com/test --proxy-user alice:s3cret
check "auth-basic: right credentials tunnel (200)" [ "$RC" = 0 -a "$CODE" = 200 ]

# --- auth-ntlm ---
pfetch ntlm.contoso.local:8080 http://crl.microsoft.com/pki/crl/products/
check "auth-ntlm: 407" [ "$CODE" = 407 ]
check "auth-ntlm: NTLM challenge" has "$HEADERS" "Proxy-Authenticate: NTLM"
check "auth-ntlm: Negotiate challenge" has "$HEADERS" "Proxy-Authenticate: Negotiate"
pfetch ntlm.contoso.local:8080 https://winatp-gw-neu.microsoft.com/test
checke "auth-ntlm: CONNECT gets 407" '[ "$RC" = 56 ] && has "$ERR" "407"'

# --- intercept ---
pfetch inspect.contoso.local:8080 https://winatp-gw-neu.microsoft.com/test
check "intercept: the Microsoft root rejects the re-signed leaf (exit 60)" [ "$RC" = 60 ]
pfetch inspect.contoso.local:8080 https://winatp-gw-neu.microsoft.com/test --cacert "$ICA"
check "intercept: the inspection root accepts it and the origin answers (200)" [ "$RC" = 0 -a "$CODE" = 200 -a "$BODY" = OK ]
check "intercept: answer relayed with Via of the appliance" has "$HEADERS" "Via: 1.1 inspect.contoso.local:8080"
pfetch inspect.contoso.local:8080 https://winatp-gw-neu3.microsoft.com/test --cacert "$ICA"
check "intercept: origin status fault relayed (503)" [ "$CODE" = 503 ]
pfetch inspect.contoso.local:8080 https://winatp-gw-weu3.microsoft.com/test --cacert "$ICA"
check "intercept: upstream TLS failure becomes 502 from the appliance" [ "$CODE" = 502 ]
pfetch inspect.contoso.local:8080 https://winatp-gw-cus.microsoft.com/test --cacert "$ICA"
checke "intercept: refused upstream gives 502" '[ "$RC" = 56 ] && has "$ERR" "502"'
# issuer CN through the intercepting proxy, with openssl's -proxy
echo | openssl s_client -proxy "127.0.0.1:$P_mitm" -connect winatp-gw-neu.microsoft.com:443 -servername winatp-gw-neu.microsoft.com 2>/dev/null |
	sed -n 's/^issuer=.*CN *= *\([^,]*\).*/\1/p' > "$T/iss"
check "intercept: issuer CN is Contoso TLS Inspection CA" [ "$(head -1 "$T/iss")" = "Contoso TLS Inspection CA" ]

# --- bad requests to a proxy ---
CODE=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 3 "http://127.0.0.1:$P_open/not-absolute")
check "origin-form request to a proxy gets 400" [ "$CODE" = 400 ]

ctl GET /journal
echo "$BODY" > "$T/journal.json"
check "journal records the CONNECT line and the proxy listener" python3 -c "
import json,sys; j=json.load(open(sys.argv[1]))
sys.exit(0 if any(e['listener']=='proxy:block' and (e['connect'] or '').startswith('CONNECT edr-cus.us.endpoint.security.microsoft.com:443') and e['status']==403 for e in j) else 1)" "$T/journal.json"
finish
