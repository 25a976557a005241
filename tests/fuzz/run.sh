#!/usr/bin/env bash
# run.sh EXE NAME SOURCE_ROOT SECONDS [WORKDIR] - one fuzz target's smoke
# run, as TAP: (1) every kept finding in regress/NAME/ runs once, (2) the
# target fuzzes for SECONDS from seeds generated from the repository
# (make_seeds.py) with its dictionary. A crash, sanitizer report or broken
# invariant fails the test and leaves the input in WORKDIR/artifacts/.
# SECONDS 0: EXE is the replay build (replay_main.c, no libFuzzer), and
# (2) runs every generated seed once instead of fuzzing.
set -u
exe=$1 name=$2 root=$3 secs=$4
here=$root/tests/fuzz
work=${5:-$(dirname "$exe")/smoke-$name}
rm -rf "$work"
mkdir -p "$work/corpus" "$work/seeds" "$work/artifacts"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
echo "1..2"
dict=()
[ -f "$here/dict/$name.dict" ] && dict=(-dict="$here/dict/$name.dict")

shopt -s nullglob
reg=("$here/regress/$name"/*)
if [ ${#reg[@]} -gt 0 ]; then
  if "$exe" "${dict[@]}" "${reg[@]}" >"$work/regress.log" 2>&1; then
    echo "ok 1 - $name: ${#reg[@]} kept inputs run clean"
  else
    sed 's/^/# /' "$work/regress.log" | tail -40
    echo "not ok 1 - $name: a kept input fails again"
  fi
else
  echo "ok 1 - $name: no kept inputs # SKIP"
fi

if ! python3 "$here/make_seeds.py" "$name" "$root" "$work/seeds" >"$work/seeds.log" 2>&1; then
  sed 's/^/# /' "$work/seeds.log"
  echo "not ok 2 - $name: seeds could not be generated"
  exit 0
fi
nseeds=$(ls "$work/seeds" | wc -l)
if [ "$secs" = 0 ]; then
  if [ "$nseeds" -gt 0 ] && "$exe" "$work/seeds" >"$work/replay.log" 2>&1; then
    echo "ok 2 - $name: $nseeds generated seeds run clean"
  else
    sed 's/^/# /' "$work/replay.log" | tail -40
    echo "not ok 2 - $name: $nseeds generated seeds: one fails (or there were none)"
  fi
  exit 0
fi
"$exe" "${dict[@]}" -seed=1 -max_total_time="$secs" -timeout=25 -rss_limit_mb=2048 \
  -artifact_prefix="$work/artifacts/" -print_final_stats=1 \
  "$work/corpus" "$work/seeds" >"$work/fuzz.log" 2>&1
rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log")
cov=$(grep -o 'cov: [0-9]*' "$work/fuzz.log" | tail -1)
ft=$(grep -o 'ft: [0-9]*' "$work/fuzz.log" | tail -1)
if [ $rc = 0 ] && [ -n "$runs" ]; then
  echo "ok 2 - $name: ${secs}s from $nseeds seeds, $runs runs, $cov, $ft"
else
  grep -v '^#[0-9]' "$work/fuzz.log" | sed 's/^/# /' | tail -60
  ls "$work/artifacts" | sed 's/^/# artifact: /'
  echo "not ok 2 - $name: fuzzing found a problem (exit $rc), input in $work/artifacts/"
fi
