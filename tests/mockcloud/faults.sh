#!/usr/bin/env bash
# faults.sh - every host fault, driven with curl (OpenSSL) through the
# mock cloud's --connect-to rules; asserts what the client sees.
. "$(dirname "$0")/lib.sh"

cat > "$T/config.json" <<'JSON'
{
 "hosts": {
  "winatp-gw-cus.microsoft.com": {"faults": [{"type": "refuse"}]},
  "winatp-gw-eus.microsoft.com": {"faults": [{"type": "reset", "when": "before-handshake"}]},
  "winatp-gw-cus3.microsoft.com": {"faults": [{"type": "reset", "when": "after-handshake"}]},
  "winatp-gw-eus3.microsoft.com": {"faults": [{"type": "silent", "seconds": 5}]},
  "winatp-gw-neu.microsoft.com": {"faults": [{"type": "delay", "ms": 700}]},
  "winatp-gw-weu.microsoft.com": {"faults": [{"type": "bandwidth", "bytes_per_sec": 200}]},
  "winatp-gw-neu3.microsoft.com": {"faults": [{"type": "status", "code": 503}]},
  "winatp-gw-weu3.microsoft.com": {"faults": [{"type": "tls-fail"}]},
  "winatp-gw-uks.microsoft.com": {"faults": [{"type": "wrong-name"}]},
  "winatp-gw-ukw.microsoft.com": {"faults": [{"type": "expired"}]},
  "winatp-gw-aue.microsoft.com": {"faults": [{"type": "intercept"}]},
  "winatp-gw-aus.microsoft.com": {"faults": [{"type": "reset"}, {"type": "flaky", "times": 2}]},
  "*.wd.microsoft.com": {"faults": [{"type": "status", "code": 503}, {"type": "delay", "ms": 100}]},
  "ctldl.windowsupdate.com": {"faults": [{"type": "reset"}]},
  "www.microsoft.com": {"faults": [{"type": "status", "code": 500}]},
  "unitedstates.urs.microsoft.com": {"faults": [{"type": "refuse"}, {"type": "flaky", "times": 1}]},
  "*.smartscreen.microsoft.com": {"faults": [{"type": "refuse"}]}
 }
}
JSON
start "$T/config.json"

# --- no fault: the destinations table decides ---
fetch https://go.microsoft.com/
check "baseline go.microsoft.com / answers 404" [ "$RC" = 0 -a "$CODE" = 404 ]
fetch https://edr-cus.us.endpoint.security.microsoft.com/edr/test
check "wildcard core host answers 200 on /edr/test" [ "$RC" = 0 -a "$CODE" = 200 ]
fetch https://edr-weu3.eu.endpoint.security.microsoft.com/other
check "core host answers 404 off its test path" [ "$CODE" = 404 ]
fetch https://automatedirstrprdcus.blob.core.windows.net/
check "blob host answers 400" [ "$CODE" = 400 ]
fetch https://us-v20.events.data.microsoft.com/
check "events host answers 404" [ "$CODE" = 404 ]
fetch http://crl.microsoft.com/pki/crl/products/
check "plain HTTP CRL host answers 404 on port 80" [ "$RC" = 0 -a "$CODE" = 404 ]

# --- refuse: the connect-to rule points at a bound, never-listening socket ---
fetch https://winatp-gw-cus.microsoft.com/test
check "refuse: curl gets ECONNREFUSED (exit 7)" [ "$RC" = 7 ]
check "refuse: the rule targets the refuse port" has "$ERR" "port $REFUSE"

check "refuse: no connect-to rule for a flaky refuse or a pattern" python3 -c "
import json,sys; c=json.load(open(sys.argv[1]))['connect_to']
sys.exit(0 if not any(r.startswith(('unitedstates.urs.', '*.')) for r in c) else 1)" "$T/ready"
fetch https://unitedstates.urs.microsoft.com/; r1=$RC
fetch https://unitedstates.urs.microsoft.com/
check "refuse + flaky 1: reset once through the front, then 404" [ "$r1" = 35 -a "$RC" = 0 -a "$CODE" = 404 ]
fetch https://nav.smartscreen.microsoft.com/
check "refuse on a pattern: reset at the front (exit 35)" [ "$RC" = 35 ]

# --- reset ---
fetch https://winatp-gw-eus.microsoft.com/test
check "reset before-handshake: TLS connect reset (exit 35)" [ "$RC" = 35 ]
check "reset before-handshake: says reset by peer" has "$ERR" "reset by peer"
fetch https://winatp-gw-cus3.microsoft.com/test
check "reset after-handshake: receive reset (exit 56)" [ "$RC" = 56 ]
check "reset after-handshake: says reset by peer" has "$ERR" "reset by peer"
fetch http://ctldl.windowsupdate.com/msdownload/update/v3/static/trustedr/en/disallowedcertstl.cab
check "reset on a plain HTTP host: exit 56" [ "$RC" = 56 ]

# --- silent: the client times out ---
fetch https://winatp-gw-eus3.microsoft.com/test --max-time 1
check "silent: client times out (exit 28)" [ "$RC" = 28 ]
check "silent: after about its 1 s budget" ge "$SECS" 0.9

# --- delay and bandwidth ---
fetch https://winatp-gw-neu.microsoft.com/test
check "delay 700 ms: still 200" [ "$CODE" = 200 ]
check "delay 700 ms: takes >= 0.7 s" ge "$SECS" 0.7
fetch https://winatp-gw-weu.microsoft.com/test
check "bandwidth 200 B/s: still 200 with body OK" [ "$CODE" = 200 -a "$BODY" = OK ]
check "bandwidth 200 B/s: a ~150-byte answer takes >= 0.5 s" ge "$SECS" 0.5

# --- status ---
fetch https://winatp-gw-neu3.microsoft.com/test
check "status 503 on the test path" [ "$CODE" = 503 ]
fetch https://winatp-gw-neu3.microsoft.com/elsewhere
check "status fault leaves other paths at 404" [ "$CODE" = 404 ]
fetch https://x.cp.wd.microsoft.com/
check "wildcard host fault (*.wd.microsoft.com) applies: 503" [ "$CODE" = 503 ]
fetch http://www.microsoft.com/pki/certs/
check "status fault on a plain HTTP host: 500" [ "$CODE" = 500 ]
fetch http://www.microsoft.com/pkiops/certs/
check "second test path of the same host gets the fault too: 500" [ "$CODE" = 500 ]

# --- TLS faults ---
fetch https://winatp-gw-weu3.microsoft.com/test
check "tls-fail: handshake alert (exit 35)" [ "$RC" = 35 ]
check "tls-fail: alert is handshake failure" has "$ERR" "handshake failure"
fetch https://winatp-gw-uks.microsoft.com/test
check "wrong-name: verification fails (exit 60)" [ "$RC" = 60 ]
check "wrong-name: name mismatch reported" has "$ERR" "subject name"
fetch https://winatp-gw-uks.microsoft.com/test --insecure
check "wrong-name: chain is otherwise served (200 with -k)" [ "$CODE" = 200 ]
fetch https://winatp-gw-ukw.microsoft.com/test
check "expired: verification fails (exit 60)" [ "$RC" = 60 ]
check "expired: certificate has expired" has "$ERR" "expired"
fetch https://winatp-gw-aue.microsoft.com/test
check "intercept: the Microsoft root does not verify it (exit 60)" [ "$RC" = 60 ]
fetch https://winatp-gw-aue.microsoft.com/test --cacert "$ICA"
check "intercept: the inspection root verifies it (200)" [ "$RC" = 0 -a "$CODE" = 200 ]
check "intercept: issuer CN is the inspection CA" [ "$(issuer_cn winatp-gw-aue.microsoft.com)" = "Contoso TLS Inspection CA" ]
check "no fault: issuer CN is the mock intermediate" [ "$(issuer_cn winatp-gw-neu.microsoft.com)" = "Mock Secure Server CA 2026" ]
echo | openssl s_client -connect "127.0.0.1:$HTTPS" -servername winatp-gw-aue.microsoft.com 2>/dev/null | openssl x509 -noout -subject -ext subjectAltName > "$T/icert" 2>/dev/null
check "intercept: leaf mimics the real subject and SAN" grep -q "DNS:winatp-gw-aue.microsoft.com" "$T/icert"
check "intercept: leaf keeps the Microsoft subject O" grep -q "O = Microsoft Corporation" "$T/icert"

# --- flaky: reset for the first 2 connections, then normal ---
fetch https://winatp-gw-aus.microsoft.com/test; r1=$RC
fetch https://winatp-gw-aus.microsoft.com/test; r2=$RC
fetch https://winatp-gw-aus.microsoft.com/test
check "flaky times=2: two resets then 200" [ "$r1" = 35 -a "$r2" = 35 -a "$RC" = 0 -a "$CODE" = 200 ]

# --- the journal names the faults ---
ctl GET /journal
echo "$BODY" > "$T/journal.json"
seen=" $(python3 -c "import json,sys; print(' '.join(sorted({n for e in json.load(open(sys.argv[1])) if e['fault'] for n in e['fault'].split(',')})))" "$T/journal.json") "
for f in reset silent delay bandwidth status tls-fail wrong-name expired intercept flaky; do
	check "journal names fault $f" has "$seen" " $f "
done
check "journal records SNI, request line and status" python3 -c "
import json,sys; j=json.load(open(sys.argv[1]))
sys.exit(0 if any(e['sni']=='winatp-gw-neu3.microsoft.com' and e['request']=='GET /test HTTP/1.1' and e['status']==503 and e['listener']=='https' and 'total' in e['ms'] for e in j) else 1)" "$T/journal.json"
finish
