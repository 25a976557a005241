#!/bin/sh
# bench/deadline/run.sh [BUILDDIR] [RUNS] - the run's one deadline on an
# offline device (see RESULTS.md): the healthy-win11 fixture whose DNS server
# never answers (every lookup blocks 60 s: dns "*": {"error": "timeout",
# "delay_ms": 60000}). The whole mdediag process is timed from outside for
# --timeout 2, 5 and 10 s, RUNS times each (default 5); prints each wall
# time and the median. No traffic leaves the process: nothing resolves.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=${1:-$ROOT/build}
N=${2:-5}
MD=$B/diag/mdediag
W=$(mktemp -d /tmp/mdediag-deadline-XXXXXX)
trap 'rm -rf "$W"' EXIT

python3 - "$ROOT/fixtures/devices/healthy-win11.json" "$W/fx.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d['dns'] = {'*': {'error': 'timeout', 'delay_ms': 60000}}
json.dump(d, open(sys.argv[2], 'w'))
PY

for TMO in 2 5 10; do
	: > "$W/walls"
	i=0
	while [ "$i" -lt "$N" ]; do
		s=$(date +%s.%N)
		"$MD" --fixture "$W/fx.json" --format json --output "$W/out.json" \
			--timeout "$TMO" >/dev/null 2>&1 || true
		e=$(date +%s.%N)
		echo "$s $e" | awk '{printf "%.3f\n", $2-$1}' >> "$W/walls"
		i=$((i + 1))
	done
	python3 - "$W/walls" "$W/out.json" "$TMO" <<'PY'
import json, statistics, sys
walls = [float(x) for x in open(sys.argv[1])]
r = json.load(open(sys.argv[2]))
eps = [f for f in r['findings'] if f['id'] == 'net.endpoint']
dns = sum(1 for f in eps if f['evidence'].get('result') == 'dns')
tmo = float(sys.argv[3])
med = statistics.median(walls)
print('--timeout %g: walls %s  median %.3f s  over the timeout %+.3f s  '
      'destinations %d (dns %d)' % (tmo, ' '.join('%.3f' % w for w in walls), med,
                                     med - tmo, len(eps), dns))
PY
done
