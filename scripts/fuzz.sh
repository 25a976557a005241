#!/usr/bin/env bash
# fuzz.sh TARGET|all SECONDS [-- LIBFUZZER-ARGS...] - a long libFuzzer run
# (docs/fuzzing.md). Builds build-fuzz (clang, -Dfuzzing=true) when needed,
# keeps a growing corpus in build-fuzz/fuzz/TARGET/corpus (seeded from the
# repository by tests/fuzz/make_seeds.py), saves crashing inputs in
# build-fuzz/fuzz/TARGET/artifacts/, and ends with one Markdown table row
# per target for docs/fuzzing.md (seconds = wall time taken; -runs=N stops
# a target early):
#   | date | commit | target | seconds | executions | exec/s | cov | ft | corpus | findings |
# "all" runs every target one after another, SECONDS each.
set -uo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { echo "usage: scripts/fuzz.sh TARGET|all SECONDS [-- LIBFUZZER-ARGS...]" >&2; exit 2; }
target=$1 secs=$2; shift 2
[ "${1:-}" = -- ] && shift
case $secs in ''|*[!0-9]*) echo "fuzz.sh: SECONDS must be a whole number" >&2; exit 2 ;; esac
MDEDIAG_FUZZ=1 MDEDIAG_NO_WINDOWS=1 MDEDIAG_NO_BROWSER=1 bash scripts/setup.sh || exit 1
if [ ! -f build-fuzz/build.ninja ]; then
  CC=clang meson setup build-fuzz -Dfuzzing=true >/dev/null || exit 1
fi
ninja -C build-fuzz >/dev/null || exit 1
if [ "$target" = all ]; then
  targets=$(cd build-fuzz/tests/fuzz && find . -maxdepth 1 -type f -name 'fuzz_*' -perm -u+x |
    sed 's|^\./fuzz_||' | sort)
else
  [ -x "build-fuzz/tests/fuzz/fuzz_$target" ] || { echo "fuzz.sh: no target $target" >&2; exit 2; }
  targets=$target
fi
commit=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!docs' || echo +)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
status=0
for t in $targets; do
  w=build-fuzz/fuzz/$t
  mkdir -p "$w/corpus" "$w/seeds" "$w/artifacts" "$w/logs"
  python3 tests/fuzz/make_seeds.py "$t" "$PWD" "$w/seeds" >/dev/null || exit 1
  dict=()
  [ -f "tests/fuzz/dict/$t.dict" ] && dict=(-dict="tests/fuzz/dict/$t.dict")
  log=$w/logs/$(date -u +%Y%m%dT%H%M%SZ).log
  before=$(ls "$w/artifacts" | wc -l)
  start=$(date +%s)
  "build-fuzz/tests/fuzz/fuzz_$t" "${dict[@]}" -max_total_time="$secs" -timeout=30 \
    -rss_limit_mb=2048 -artifact_prefix="$w/artifacts/" -print_final_stats=1 "$@" \
    "$w/corpus" "$w/seeds" >"$log" 2>&1
  rc=$?
  took=$(( $(date +%s) - start ))
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  found=$(( $(ls "$w/artifacts" | wc -l) - before ))
  [ $rc = 0 ] || status=1
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$(date -u +%Y-%m-%d)" "$commit" \
    "$t" "$took" "${runs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$(ls "$w/corpus" | wc -l)" \
    "$([ $rc = 0 ] && echo 0 || echo "$found (exit $rc, $log)")"
done
exit $status
