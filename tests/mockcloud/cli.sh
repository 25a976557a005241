#!/usr/bin/env bash
# cli.sh - the command-line contract: ready line, ports file, CA files,
# seeded reproducibility, certificate profile, clean exit on signals.
. "$(dirname "$0")/lib.sh"
CFG="$(cd "$(dirname "$0")" && pwd)/good.json"

start "$CFG"
check "ready line is one JSON line with every key" python3 -c "
import json,sys; lines=open(sys.argv[1]).read().splitlines(); assert len(lines)==1; r=json.loads(lines[0])
ok = all(isinstance(r[k], int) and 0 < r[k] < 65536 for k in ('https','http','control','refuse')) and r['proxies']=={} \
  and r['ca'].endswith('/root.pem') and r['inspection_ca'].endswith('/inspection-root.pem') \
  and r['connect_to']==[':443:127.0.0.1:%d' % r['https'], ':80:127.0.0.1:%d' % r['http']]
sys.exit(0 if ok else 1)" "$T/ready"
check "ports file holds the same JSON as stdout" cmp -s "$T/ready" "$T/ports.json"
for f in root.pem root.cer inspection-root.pem inspection-root.cer; do
	check "CA file $f written" test -s "$T/ca/$f"
done
check "root.cer is the DER of root.pem" sh -c "openssl x509 -in '$T/ca/root.pem' -outform DER | cmp -s - '$T/ca/root.cer'"
check "inspection root subject is the corporate CA" sh -c "openssl x509 -in '$T/ca/inspection-root.pem' -noout -subject | grep -q 'CN = Contoso TLS Inspection CA, O = Contoso Ltd'"
curl -sS --max-time 2 "http://127.0.0.1:$REFUSE/" 2>"$T/e"; rc=$?
check "the refuse port refuses (ECONNREFUSED, exit 7)" [ "$rc" = 7 ]

# a request head may end in CRLF CRLF, LF LF or LF CRLF: all three get the
# same answer (no 408 after waiting for a blank line that never comes)
python3 -c '
import socket, sys
for end in (b"\r\n\r\n", b"\n\n", b"\n\r\n"):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=30)
    s.sendall(b"GET /pki/mscorp/crl/x.crl HTTP/1.1\r\nHost: crl.microsoft.com" + end)
    print(repr(end)[2:-1], s.makefile("rb").readline().decode("latin-1").strip())
' "$HTTP" >"$T/ends"
while read -r end st; do
	checke "head ending $end: answered as CRLF CRLF is ($st)" '! has "$st" 408 && [ "$st" = "$(head -1 "$T/ends" | cut -d" " -f2-)" ] && has "$st" HTTP/1.1'
done <"$T/ends"
checke "three head endings tried" '[ $(wc -l <"$T/ends") = 3 ]'

echo | openssl s_client -connect "127.0.0.1:$HTTPS" -servername winatp-gw-neu.microsoft.com -showcerts 2>/dev/null > "$T/sc"
awk '/BEGIN CERT/{n++} n==1' "$T/sc" | sed '/END CERT/q' > "$T/leaf.pem"
openssl x509 -in "$T/leaf.pem" -noout -text > "$T/leaf.txt"
check "leaf key is ECDSA P-256" grep -q "prime256v1" "$T/leaf.txt"
check "leaf SAN is the host" grep -q "DNS:winatp-gw-neu.microsoft.com" "$T/leaf.txt"
check "leaf has a CRL distribution point" grep -q "URI:http://crl.microsoft.com/pki/mscorp/crl/" "$T/leaf.txt"
check "leaf is valid from 2026-01-01 for 2 years" sh -c "grep -q 'Not Before: Jan  1 00:00:00 2026 GMT' '$T/leaf.txt' && grep -q 'Not After : Jan  1 00:00:00 2028 GMT' '$T/leaf.txt'"
ski=$(grep -A1 "Subject Key Identifier" "$T/leaf.txt" | tail -1 | tr -d ' ')
aki=$(grep -A1 "Authority Key Identifier" "$T/leaf.txt" | tail -1 | tr -d ' ' | sed 's/^keyid://')
check "leaf SKI differs from its issuer's key identifier" [ -n "$ski" -a -n "$aki" -a "$ski" != "$aki" ]
check "server sends the chain (leaf + intermediate)" [ "$(grep -c 'BEGIN CERT' "$T/sc")" = 2 ]
check "chain verifies against root.pem" sh -c "grep -q 'Verify return code: 0 (ok)' '$T/sc' || (echo | openssl s_client -connect 127.0.0.1:$HTTPS -servername winatp-gw-neu.microsoft.com -CAfile '$CA' 2>/dev/null | grep -q 'Verify return code: 0 (ok)')"
# mc_ecc.c: P-256 ECDHE keys come from the executable's
# mbedtls_ecdh_gen_public, which libmbedcrypto binds to only if exported
check "ECDHE on P-256, whatever the client offers first" grep -q "Server Temp Key: ECDH, prime256v1" "$T/sc"
check "the executable exports mbedtls_ecdh_gen_public (mc_ecc.c)" sh -c "nm -D --defined-only '$MOCKCLOUD' | grep -q ' T mbedtls_ecdh_gen_public\$'"
leaf1=$(openssl x509 -in "$T/leaf.pem" -noout -fingerprint -sha256)
root1=$(sha256sum < "$T/ca/root.pem")

kill -TERM "$MC_PID"; wait "$MC_PID"; rc=$?; MC_PID=
check "SIGTERM: clean exit 0" [ "$rc" = 0 ]
check "ports file removed at exit" test ! -e "$T/ports.json"

# same seed, fresh CA directory: identical certificates
rm -rf "$T/ca" "$T/ready"
start "$CFG"
echo | openssl s_client -connect "127.0.0.1:$HTTPS" -servername winatp-gw-neu.microsoft.com 2>/dev/null | openssl x509 -noout -fingerprint -sha256 > "$T/fp2"
check "--seed: the root is byte-identical across runs" [ "$(sha256sum < "$T/ca/root.pem")" = "$root1" ]
check "--seed: the leaf is byte-identical across runs" [ "$(cat "$T/fp2")" = "$leaf1" ]
kill -INT "$MC_PID"; wait "$MC_PID"; rc=$?; MC_PID=
check "SIGINT: clean exit 0" [ "$rc" = 0 ]

# another seed gives another root; no --ca-dir gives a temp dir removed at exit
"$MOCKCLOUD" --config "$CFG" --seed 7 > "$T/ready3" &
pid=$!
for _ in $(seq 1 100); do [ -s "$T/ready3" ] && break; sleep 0.05; done
tmpca=$(json "$T/ready3" 'd["ca"]')
check "another seed: another root" [ "$(sha256sum < "$tmpca")" != "$root1" ]
kill -TERM $pid; wait $pid
check "default CA dir is a temp dir removed at exit" test ! -e "$tmpca"

# command-line conventions: --help on stdout with exit 0, --opt=value, one
# line and a hint for bad usage, exit 2
"$MOCKCLOUD" --help > "$T/out" 2> "$T/err"; rc=$?; RC=$rc ERR=
checke "--help: usage on stdout, exit 0" '[ "$rc" = 0 -a ! -s "$T/err" ] && head -1 "$T/out" | grep -q "^usage: mockcloud"'
usage_err() {  # ARGS... EXPECTED-LINE
  local want=${*: -1}
  "$MOCKCLOUD" "${@:1:$#-1}" > "$T/out" 2> "$T/err"; local rc=$?
  printf '%s\nTry '"'"'mockcloud --help'"'"'.\n' "$want" > "$T/want"
  RC=$rc ERR=$(cat "$T/err")
  checke "${*:1:$#-1}: exit 2, one line and the hint" '[ "$RC" = 2 -a ! -s "$T/out" ] && cmp -s "$T/want" "$T/err"'
}
usage_err "mockcloud: --config FILE is required"
usage_err --bogus "mockcloud: unknown option '--bogus'"
usage_err --config "mockcloud: option '--config' needs a value"
usage_err --help=x "mockcloud: option '--help' takes no value"
usage_err --config "$CFG" --seed=-1 "mockcloud: --seed -1: expected a number from 0 to 18446744073709551615"
usage_err --config "$CFG" stray "mockcloud: unexpected argument 'stray'"
"$MOCKCLOUD" --config="$CFG" --seed=3 --ca-dir="$T/ca3" > "$T/ready4" &
pid=$!
for _ in $(seq 1 100); do [ -s "$T/ready4" ] && break; sleep 0.05; done
check "--opt=value: starts with the given CA dir" test -s "$T/ca3/root.pem"
kill -TERM $pid; wait $pid
finish
