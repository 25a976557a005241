#!/usr/bin/env bash
# run.sh - benchmark of the mock cloud against Debian's nginx and mitmproxy,
# side by side in one run, loopback only, ECDSA P-256 keys everywhere:
#   1. keep-alive HTTPS requests/s          (wrk, 1 thread, 8 connections)
#   2. new TLS handshakes/s                 (wrk with "Connection: close")
#      and, for information, resumed ones (session cache on in both servers)
#   3. intercepted HTTPS connections/s      (proxybench: CONNECT + TLS + GET),
#      against mitmproxy answering itself (as mockcloud's proxy does) and,
#      for information, mitmproxy forwarding to the nginx above; with 4
#      client threads and with 32 (where mitmproxy's one core saturates)
#   4. peak RSS with 1,000 open TLS sessions (+500 bad/idle connections)
# Medians of RUNS (default 3) runs of DUR (default 3) seconds each.
# Needs: nginx, mitmproxy (mitmdump), wrk, openssl, a built tree (BUILD=build).
# Not part of `meson test`. Prints a Markdown table.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=${BUILD:-$ROOT/build}
# MC_EXE=$B/mockcloud/mockcloud-openssl-ecc: the variant with OpenSSL P-256
MC_EXE=${MC_EXE:-$B/mockcloud/mockcloud}
RUNS=${RUNS:-3}
DUR=${DUR:-3}
HOST=winatp-gw-neu.microsoft.com
T=$(mktemp -d "${TMPDIR:-/tmp}/mcbench.XXXXXX")
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$T"
}
trap cleanup EXIT
for t in nginx mitmdump wrk openssl cc; do command -v $t >/dev/null || { echo "run.sh: needs $t" >&2; exit 2; }; done
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
median() { python3 -c 'import sys,statistics; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }
ratio() { python3 -c 'import sys; print("%.2f" % (float(sys.argv[1])/float(sys.argv[2])))' "$1" "$2"; }

cc -O2 -o "$T/proxybench" "$ROOT/bench/mockcloud/proxybench.c" -lssl -lcrypto -lpthread

# --- mock cloud, with an intercepting proxy ---
cat > "$T/mc.json" <<JSON
{"proxies": [{"name": "mitm", "as": "inspect.contoso.local:8080", "mode": "intercept"}]}
JSON
# no session cache: "new TLS handshakes" must be full ones (nginx: cache off)
MOCKCLOUD_NO_SESSION_CACHE=1 "$MC_EXE" --config "$T/mc.json" --seed 1 --ca-dir "$T/ca" > "$T/ready" &
MC=$!; PIDS+=($MC)
for _ in $(seq 1 100); do [ -s "$T/ready" ] && break; sleep 0.05; done
MC_HTTPS=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["https"])' "$T/ready")
MC_PROXY=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["proxies"]["mitm"])' "$T/ready")
# a second one with its session cache, for resumed handshakes
"$MC_EXE" --config "$T/mc.json" --seed 1 --ca-dir "$T/caR" > "$T/readyR" &
MCR=$!; PIDS+=($MCR)
for _ in $(seq 1 100); do [ -s "$T/readyR" ] && break; sleep 0.05; done
MC_RHTTPS=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["https"])' "$T/readyR")

# --- nginx: TLS 1.2 (mbedTLS 2.28 has no 1.3), ECDHE-ECDSA, P-256, no session reuse ---
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
	-subj "/CN=$HOST" -addext "subjectAltName=DNS:$HOST" -keyout "$T/ng.key" -out "$T/ng.crt" 2>/dev/null
NG_PORT=$(free_port)
NG_RPORT=$(free_port)
mkdir -p "$T/ng"
cat > "$T/nginx.conf" <<CONF
user root;
worker_processes 2;
pid $T/nginx.pid;
error_log $T/nginx.err;
daemon off;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $T/ng; proxy_temp_path $T/ng; fastcgi_temp_path $T/ng;
  uwsgi_temp_path $T/ng; scgi_temp_path $T/ng;
  keepalive_requests 10000000;
  server {
    listen 127.0.0.1:$NG_PORT ssl;
    ssl_certificate $T/ng.crt;
    ssl_certificate_key $T/ng.key;
    ssl_protocols TLSv1.2;
    ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256;
    ssl_ecdh_curve prime256v1;
    ssl_session_cache off;
    ssl_session_tickets off;
    location /test { return 200 "OK"; }
  }
  server {
    listen 127.0.0.1:$NG_RPORT ssl;
    ssl_certificate $T/ng.crt;
    ssl_certificate_key $T/ng.key;
    ssl_protocols TLSv1.2;
    ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256;
    ssl_ecdh_curve prime256v1;
    ssl_session_cache shared:SSL:10m;
    ssl_session_tickets off;
    location /test { return 200 "OK"; }
  }
}
CONF
nginx -c "$T/nginx.conf" -p "$T" &
NG=$!; PIDS+=($NG)

# --- mitmproxy with an ECDSA P-256 CA (its leaves reuse the CA's key type) ---
mkdir -p "$T/mitm"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
	-subj "/CN=mitmproxy/O=mitmproxy" -keyout "$T/mitm/k.pem" -out "$T/mitm/c.pem" \
	-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
cat "$T/mitm/k.pem" "$T/mitm/c.pem" > "$T/mitm/mitmproxy-ca.pem"
MITM_PORT=$(free_port)
mitmdump -q --listen-host 127.0.0.1 --listen-port "$MITM_PORT" --ssl-insecure \
	--set confdir="$T/mitm" --set termlog_verbosity=error > "$T/mitm.log" 2>&1 &
MI=$!; PIDS+=($MI)
# a second mitmproxy that answers itself like mockcloud's proxy (no
# upstream leg): the same work per connection on both sides. Its CONNECT
# target is an IP literal: with a host name mitmproxy resolves it (5 s
# stalls without DNS on an isolated machine) though it never connects.
MITML_PORT=$(free_port)
mitmdump -q --listen-host 127.0.0.1 --listen-port "$MITML_PORT" --ssl-insecure \
	--set confdir="$T/mitm" --set termlog_verbosity=error --set connection_strategy=lazy \
	-s "$ROOT/bench/mockcloud/mitm_local.py" > "$T/mitml.log" 2>&1 &
ML=$!; PIDS+=($ML)
for _ in $(seq 1 100); do
	(exec 3<>/dev/tcp/127.0.0.1/$MITM_PORT) 2>/dev/null && (exec 3<>/dev/tcp/127.0.0.1/$MITML_PORT) 2>/dev/null &&
		(exec 3<>/dev/tcp/127.0.0.1/$NG_PORT) 2>/dev/null && break
	sleep 0.1
done

# CPU ticks (user + system, all threads) of the processes given
ticks() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{sub(/.*\) /, ""); print $12 + $13}' "/proc/$p/stat"))); done; echo $t; }
HZ=$(getconf CLK_TCK)
# CPU ms per request or connection of the processes in $CPU_OF during the
# last measurement, appended to C[$1]: load-independent where rates are not
cpu_per() { C[$1]+=" $(python3 -c 'import sys; t,hz,r,d=map(float,sys.argv[1:]); print("%.3f" % (t*1000/hz/(r*d)) if r else "nan")' "$(( $(ticks $CPU_OF) - T0 ))" "$HZ" "$2" "$DUR")"; }
declare -A C K	# K: the benchmark client's own CPU ms per connection

wrk_rps() { # wrk_rps PORT [extra header]
	local port=$1; shift
	wrk -t1 -c8 -d"${DUR}s" -H "Host: $HOST" "$@" "https://127.0.0.1:$port/test" |
		sed -n 's/^Requests\/sec: *//p'
}

px_cps() { # px_cps PROXY_PORT TARGET [CLIENT_THREADS]: connections/s; errors go to stderr
	local out
	local rate err cpu
	read -r rate err cpu < <("$T/proxybench" "$1" "$2" "$HOST" "${3:-4}" "$DUR")
	[ "$err" = 0 ] || echo "run.sh: proxybench on port $1: $err failed connections" >&2
	echo "$cpu" > "$T/pxcpu"
	echo "$rate"
}
measure() { # measure KEY CPU_PIDS -- command...: appends the rate to R[KEY], CPU ms to C[KEY]
	local key=$1 r; CPU_OF=$2; shift 3
	T0=$(ticks $CPU_OF)
	r=$("$@")
	R[$key]+=" $r"
	cpu_per "$key" "$r"
	if [ -s "$T/pxcpu" ]; then K[$key]+=" $(cat "$T/pxcpu")"; rm -f "$T/pxcpu"; fi
}

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A R
NGW=$(pgrep -d' ' -P "$NG")	# the workers: the master serves nothing
for i in $(seq 1 "$RUNS"); do
	measure mc_ka "$MC" -- wrk_rps "$MC_HTTPS"
	measure ng_ka "$NGW" -- wrk_rps "$NG_PORT"
	measure mc_hs "$MC" -- wrk_rps "$MC_HTTPS" -H 'Connection: close'
	measure ng_hs "$NGW" -- wrk_rps "$NG_PORT" -H 'Connection: close'
	measure mc_rs "$MCR" -- wrk_rps "$MC_RHTTPS" -H 'Connection: close'
	measure ng_rs "$NGW" -- wrk_rps "$NG_RPORT" -H 'Connection: close'
	measure mc_px "$MC" -- px_cps "$MC_PROXY" "$HOST:443"
	measure mi_px "$MI $NGW" -- px_cps "$MITM_PORT" "127.0.0.1:$NG_PORT"
	measure ml_px "$ML" -- px_cps "$MITML_PORT" "127.0.0.1:$NG_PORT"
	# 32 clients: mitmproxy's best (its event loop saturates one core)
	measure mc_px32 "$MC" -- px_cps "$MC_PROXY" "$HOST:443" 32
	measure ml_px32 "$ML" -- px_cps "$MITML_PORT" "127.0.0.1:$NG_PORT" 32
done
MC_HWM=$(sed -n 's/^VmHWM: *//p' "/proc/$MC/status")

# --- RSS with 1,000 open TLS sessions, on a fresh mock cloud ---
echo '{"timeouts": {"handshake_ms": 1500, "header_ms": 800, "idle_ms": 20000}}' > "$T/rss.json"
"$MC_EXE" --config "$T/rss.json" --ca-dir "$T/ca2" > "$T/ready2" &
MC2=$!; PIDS+=($MC2)
for _ in $(seq 1 100); do [ -s "$T/ready2" ] && break; sleep 0.05; done
RSS_LINE=$("$B/tests/mockcloud/mc_stress" "$MC2" \
	"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["https"])' "$T/ready2")" \
	"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["http"])' "$T/ready2")" \
	"$T/ca2/root.pem" 1000 | grep "peak RSS")

m() { median ${R[$1]}; }
mc() { median ${C[$1]}; }
echo "| measure | mockcloud | reference | ratio | goal | runs (mockcloud / reference) |"
echo "|---|---:|---:|---:|---|---|"
echo "| keep-alive HTTPS req/s | $(m mc_ka) | nginx $(m ng_ka) | $(ratio "$(m mc_ka)" "$(m ng_ka)") | >= 0.5 | ${R[mc_ka]} / ${R[ng_ka]} |"
echo "| new TLS handshakes/s | $(m mc_hs) | nginx $(m ng_hs) | $(ratio "$(m mc_hs)" "$(m ng_hs)") | >= 0.5 | ${R[mc_hs]} / ${R[ng_hs]} |"
echo "| (info) resumed TLS handshakes/s | $(m mc_rs) | nginx $(m ng_rs) | $(ratio "$(m mc_rs)" "$(m ng_rs)") | – | ${R[mc_rs]} / ${R[ng_rs]} |"
echo "| intercepted HTTPS conns/s (mitmproxy answers itself) | $(m mc_px) | mitmproxy $(m ml_px) | $(ratio "$(m mc_px)" "$(m ml_px)") | >= 10 | ${R[mc_px]} / ${R[ml_px]} |"
echo "| intercepted HTTPS conns/s, 32 clients (mitmproxy answers itself) | $(m mc_px32) | mitmproxy $(m ml_px32) | $(ratio "$(m mc_px32)" "$(m ml_px32)") | >= 10 | ${R[mc_px32]} / ${R[ml_px32]} |"
echo "| (info) intercepted, mitmproxy forwards to nginx | $(m mc_px) | mitmproxy $(m mi_px) | $(ratio "$(m mc_px)" "$(m mi_px)") | – | ${R[mc_px]} / ${R[mi_px]} |"
echo
echo "Server CPU per request or connection, ms (median; user + system, all threads; mitmproxy forwarding includes nginx's share):"
echo
echo "| measure | mockcloud | reference | runs (mockcloud / reference) |"
echo "|---|---:|---:|---|"
echo "| keep-alive request | $(mc mc_ka) | nginx $(mc ng_ka) | ${C[mc_ka]} / ${C[ng_ka]} |"
echo "| new TLS handshake | $(mc mc_hs) | nginx $(mc ng_hs) | ${C[mc_hs]} / ${C[ng_hs]} |"
echo "| resumed TLS handshake | $(mc mc_rs) | nginx $(mc ng_rs) | ${C[mc_rs]} / ${C[ng_rs]} |"
echo "| intercepted connection | $(mc mc_px) | mitmproxy $(mc ml_px) (answers itself), $(mc mi_px) (forwards) | ${C[mc_px]} / ${C[ml_px]} / ${C[mi_px]} |"
echo "| intercepted connection, 32 clients | $(mc mc_px32) | mitmproxy $(mc ml_px32) (answers itself) | ${C[mc_px32]} / ${C[ml_px32]} |"
echo "| (the client: proxybench, 4 / 32 threads) | $(median ${K[mc_px]}) / $(median ${K[mc_px32]}) | $(median ${K[ml_px]}) / $(median ${K[ml_px32]}) | ${K[mc_px]} / ${K[ml_px]} |"
echo
echo "load average before/after: $LOAD0 / $(cut -d' ' -f1-3 /proc/loadavg)"
echo "mockcloud peak RSS during the throughput runs: $MC_HWM"
echo "1,000 open TLS sessions + 500 bad/idle connections: $RSS_LINE"
