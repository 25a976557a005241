#!/bin/sh
# bench/fleet/run.sh [BUILDDIR] [SIZES] - mdediag fleet at scale (RESULTS.md).
# For each size (default "1000 10000"; add 100000 when the disk has ~5 GB
# and the machine the time; "csv:N" for an Intune export of N rows, one
# file: N devices without N files): gen.py writes that many collected files (no
# duplicates, no broken files), then 3 runs each, interleaved, of
#   cat: every file's bytes read once (find | xargs cat > /dev/null)
#   fleet: mdediag fleet --format json over the same directory
# with /usr/bin/time; prints the medians of wall and CPU time, files per
# second, fleet's wall over cat's, and fleet's peak RSS. The page cache is
# warm for both (one cat before the runs); nothing is dropped, the machine
# is shared. The load average is printed with each size.
# The files are written under $BENCH_DIR (default /dev/shm, a tmpfs, when it
# exists, else /tmp), so that with 100,000 files (3.3 GB) neither cat nor
# fleet waits on a disk; $JOBS, when set, is fleet's --jobs (default: one
# thread per CPU).
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=${1:-$ROOT/build}
SIZES=${2:-"1000 10000"}
MD=$B/diag/mdediag
BD=${BENCH_DIR:-$( [ -d /dev/shm ] && echo /dev/shm || echo /tmp )}
W=$(mktemp -d "$BD/mdediag-fleet-bench-XXXXXX")
JOBSOPT=${JOBS:+--jobs $JOBS}
trap 'rm -rf "$W"' EXIT

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "| files | bytes | cat wall s | fleet wall s | fleet CPU s | files/s (wall) | files/s (CPU) | fleet/cat | peak RSS KB | load avg |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for n in $SIZES; do
	D=$W/fleet-$n
	case $n in
	csv:*)	# an Intune export of n devices: one file, one row per device
		n=${n#csv:}
		mkdir -p "$D"
		python3 "$ROOT/bench/fleet/gen.py" --mdediag "$MD" --out "$W/unused" --devices "$n" \
			--manifest "$W/m-$n.json" --csv "$D/export.csv" --no-files >/dev/null
		n="$n (csv rows)" ;;
	*)	python3 "$ROOT/bench/fleet/gen.py" --mdediag "$MD" --out "$D" --devices "$n" \
			--manifest "$W/m-$n.json" >/dev/null ;;
	esac
	bytes=$(du -sb "$D" | cut -f1)
	find "$D" -type f -print0 | xargs -0 cat > /dev/null
	: > "$W/cat" ; : > "$W/fl"
	for i in 1 2 3; do
		/usr/bin/time -f "%e %U %S %M" -o "$W/t" sh -c \
			"find '$D' -type f -print0 | xargs -0 cat > /dev/null"
		cat "$W/t" >> "$W/cat"
		/usr/bin/time -f "%e %U %S %M" -o "$W/t" "$MD" fleet $JOBSOPT --format json \
			--output "$W/out.json" "$D" || [ $? -eq 1 ]
		tail -n 1 "$W/t" >> "$W/fl"
	done
	devices=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["devices"])' "$W/out.json")
	[ "$devices" -eq "${n%% *}" ] || { echo "fleet counted $devices devices of $n" >&2; exit 1; }
	cw=$(cut -d' ' -f1 "$W/cat" | median)
	fw=$(cut -d' ' -f1 "$W/fl" | median)
	fc=$(awk '{print $2 + $3}' "$W/fl" | median)
	rss=$(cut -d' ' -f4 "$W/fl" | median)
	load=$(cut -d' ' -f1-3 /proc/loadavg)
	awk -v n="${n%% *}" -v what="$n" -v b="$bytes" -v cw="$cw" -v fw="$fw" -v fc="$fc" -v rss="$rss" -v l="$load" \
		'BEGIN {printf "| %s | %.0f | %.3f | %.2f | %.2f | %.0f | %.0f | %.0f | %d | %s |\n",
		what, b, cw, fw, fc, n / fw, n / fc, fw / (cw > 0 ? cw : 0.001), rss, l}'
	rm -rf "$D"
done
