#!/bin/sh
# bench/probe/run.sh [BUILDDIR] - the probe's benchmark (see RESULTS.md).
#  1. ~30 destinations, each answering after 100 ms (testsrv "delay" fault):
#     parallel wall vs the slowest single destination, and vs a serial run
#     of the same probe (MDEDIAG_PROBE_SERIAL=1); medians of 5 runs.
#  2. every destination blackholed (accepts, never answers), --timeout 5.
#  3. peak RSS of mdediag (/usr/bin/time -v).
# Only loopback traffic: a fixture plus --connect-to rules to 127.0.0.1.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=${1:-$ROOT/build}
MD=$B/diag/mdediag
W=$(mktemp -d /tmp/mdediag-bench-XXXXXX)
SRV=
trap 'stop_srv; rm -rf "$W"' EXIT

# The healthy device, with every name resolving (to an address we never use).
python3 - "$ROOT/fixtures/devices/healthy-win11.json" "$W/fx.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d['dns'] = {'*': ['20.1.2.3']}
json.dump(d, open(sys.argv[2], 'w'))
PY

start_srv() { # $1 = config json
	echo "$1" > "$W/cfg.json"
	mkfifo "$W/in.$$" 2>/dev/null || true
	rm -f "$W/ports"
	( sleep 100000 | python3 "$ROOT/tests/probe/testsrv.py" --mkcerts "$B/tests/probe/mkcerts" \
		--dir "$W" --config "$W/cfg.json" --destinations "$ROOT/data/destinations.json" \
		> "$W/ports" ) 2>/dev/null &
	SRV=$!
	while [ ! -s "$W/ports" ]; do sleep 0.05; done
	HTTPS=$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["https"])' "$W/ports")
	HTTP=$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["http"])' "$W/ports")
}
stop_srv() {
	[ -n "$SRV" ] || return 0
	{ pkill -P "$SRV"; kill "$SRV"; wait "$SRV"; } 2>/dev/null || true
	SRV=
}

run() { # extra env in $ENV_EXTRA; prints wall seconds
	s=$(date +%s.%N)
	env $ENV_EXTRA "$MD" --fixture "$W/fx.json" --format json --output "$W/out.json" \
		--anchors "$W/root.pem" --connect-to ":443:127.0.0.1:$HTTPS" \
		--connect-to ":80:127.0.0.1:$HTTP" --timeout "$TMO" >/dev/null 2>&1 || true
	e=$(date +%s.%N)
	echo "$s $e" | awk '{printf "%.3f\n", $2-$1}'
}
median() { sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
slowest() { python3 - "$W/out.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
eps = [f for f in r['findings'] if f['id'] == 'net.endpoint']
def total(e):
    return sum(max(e.get(k, 0), 0) for k in ('dns_ms', 'connect_ms', 'proxy_ms', 'tls_ms', 'http_ms'))
print(len(eps), sum(1 for f in eps if f['evidence']['result'] == 'ok'),
      '%.3f' % (max(total(f['evidence']) for f in eps) / 1000))
PY
}

echo "== 1. 100 ms latency per destination"
start_srv '{"hosts":{"*":{"fault":"delay","ms":100}}}'
TMO=10
ENV_EXTRA=""
P=$(for i in 1 2 3 4 5; do run; done | median)
set -- $(slowest); N=$1; OK=$2; SLOW=$3
ENV_EXTRA="MDEDIAG_PROBE_SERIAL=1"
S=$(for i in 1 2 3; do run; done | median)
echo "destinations=$N ok=$OK parallel_median_s=$P slowest_single_s=$SLOW serial_median_s=$S"
awk -v p="$P" -v s="$S" -v w="$SLOW" 'BEGIN{printf "parallel/slowest=%.2f (<=1.5) parallel/serial=%.3f (<=0.15)\n", p/w, p/s}'
stop_srv

echo "== 2. all destinations blackholed, --timeout 5"
start_srv '{"hosts":{"*":{"fault":"silent"}}}'
TMO=5
ENV_EXTRA=""
BH=$(run)
set -- $(slowest)
echo "destinations=$1 ok=$2 wall_s=$BH (<=6)"

echo "== 3. peak RSS (blackholed run)"
/usr/bin/time -v "$MD" --fixture "$W/fx.json" --format json --output "$W/out.json" \
	--anchors "$W/root.pem" --connect-to ":443:127.0.0.1:$HTTPS" \
	--connect-to ":80:127.0.0.1:$HTTP" --timeout 5 2>&1 >/dev/null |
	awk -F: '/Maximum resident/{printf "peak_rss_kb=%d (<=16384)\n", $2}'
stop_srv
