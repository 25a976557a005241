#!/usr/bin/env bash
# test.sh - builds and runs every test: the native build, the same suite
# under AddressSanitizer + UndefinedBehaviorSanitizer, and (when the
# Windows build is set up) the Wine tests. Ends with "N passed, N failed".
# Usage: scripts/test.sh [--no-setup] [--no-asan]
set -uo pipefail
cd "$(dirname "$0")/.."
setup=1 asan=1
for a in "$@"; do
  case $a in
    --no-setup) setup=0 ;;
    --no-asan) asan=0 ;;
    *) echo "usage: scripts/test.sh [--no-setup] [--no-asan]" >&2; exit 2 ;;
  esac
done
[ $setup = 1 ] && { bash scripts/setup.sh || exit 1; }

# Trees built and trees broken, and each step's seconds, in files: the
# lanes below run in subshells of their own.
state=$(mktemp -d)
trap 'rm -rf "$state"' EXIT
: >"$state/builds"; : >"$state/broken"; : >"$state/times"
build_tree() { # dir [meson setup args...]: configure once, build
  local dir=$1; shift
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" "$@" >"$state/setup-${dir//\//_}.log" 2>&1 ||
      { cat "$state/setup-${dir//\//_}.log"; echo "$dir (meson setup)" >>"$state/broken"; return 1; }
  fi
  # two compile jobs: the trees are built while another lane tests
  ninja -C "$dir" -j 2 || { echo "$dir (build)" >>"$state/broken"; return 1; }
  echo "$dir" >>"$state/builds"
}
test_tree() { # dir
  # Meson's per-test timeouts only catch a hung test; they are not what any
  # test checks. A loaded 2-core machine (or ASan, or Wine) can take three
  # times as long, so they are stretched here rather than tuned per test.
  meson test -C "$1" --print-errorlogs --num-processes 2 --timeout-multiplier 3
}
exec 3>&2  # the terminal's stderr, for the lanes' progress lines
timed() { # label command...: runs it, notes its seconds, says when it ends
  local t0=$SECONDS rc
  "${@:2}"; rc=$?
  echo "$1: $((SECONDS - t0)) s" >>"$state/times"
  echo "test.sh: $1 done in $((SECONDS - t0)) s$([ $rc = 0 ] || echo ", FAILED") (at $SECONDS s)" >&3
  return $rc
}
wine_prefix=$PWD/build-win/wine/prefix

# The Windows lane: the MinGW cross build (mbedTLS/cJSON from Debian's
# source packages) and its Wine tests (docs/windows.md), which compare
# mdediag.exe with the native build. The longest lane, and mostly waiting
# on Wine: it starts as soon as the native tree is built.
win_lane() {
  unset DISPLAY  # Wine headless
  bash scripts/fetch-windows-deps.sh ||
    { : >"$state/win-built"; echo "build-win (fetching the Windows dependencies)" >>"$state/broken"; return 1; }
  mkdir -p build-win/wine
  # WINEPREFIX before meson setup: its exe_wrapper check runs Wine
  export WINEPREFIX=$wine_prefix WINEDEBUG=-all
  timed "windows build" build_tree build-win --cross-file cross/mingw64.txt
  local rc=$?
  : >"$state/win-built"  # built or not: the native tests may start
  [ $rc = 0 ] || return 1
  timed "wine tests" test_tree build-win </dev/null || rc=1
  # leave no Wine server behind holding this script's output open
  wineserver -k </dev/null >/dev/null 2>&1
  return $rc
}

status=0
# 1. The native tree: the Wine tests compare with its mdediag and harness.
native_built=0
timed "native build" build_tree build && native_built=1 || status=1

# 2. Three lanes at once on two cores. Each lane's output is kept in a log
#    and printed when all are done; a line per step says when it ends.
#    - Windows (above): the cross build, then the Wine suite, mostly
#      waiting on Wine.
#    - The sanitizer tree (AddressSanitizer + UndefinedBehaviorSanitizer;
#      its fuzz-replay suite runs the fuzz targets' kept findings and
#      seeds, fuzzing itself is scripts/fuzz.sh), built and tested.
#    - The native tests, once the Windows tree is built: the two builds
#      first, side by side, so that neither long lane starts late.
#    Deadlines in the slow trees are stretched (harness --slow); every test
#    passes beside stress-ng --cpu 2 (README).
win_pid= native_pid=
if [ "${MDEDIAG_NO_WINDOWS:-0}" != 1 ]; then
  mkdir -p build-win
  win_lane >build-win/lane.log 2>&1 </dev/null &
  win_pid=$!
else
  : >"$state/win-built"
fi
mkdir -p build
: >build/lane.log
if [ $native_built = 1 ]; then
  {
    while [ ! -e "$state/win-built" ] && kill -0 "${win_pid:-$$}" 2>/dev/null; do sleep 1; done
    timed "native tests" test_tree build
  } >build/lane.log 2>&1 </dev/null &
  native_pid=$!
fi
if [ $asan = 1 ]; then
  mkdir -p build-asan
  {
    timed "sanitizer build" build_tree build-asan -Db_sanitize=address,undefined \
      -Db_lundef=false -Dbuildtype=debug &&
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1 \
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 timed "sanitizer tests" test_tree build-asan
  } >build-asan/lane.log 2>&1 </dev/null || status=1
fi
for pid in $native_pid $win_pid; do
  wait "$pid" || status=1
done
for lane in build build-asan build-win; do
  if [ -s "$lane/lane.log" ]; then
    echo "===== $lane ====="
    cat "$lane/lane.log"
  fi
done

# MDEDIAG_FUZZ=1 also builds the libFuzzer tree and fuzzes each target a
# few seconds (needs clang: scripts/setup.sh installs it with MDEDIAG_FUZZ=1).
if [ "${MDEDIAG_FUZZ:-0}" = 1 ]; then
  if CC=clang timed "fuzz build" build_tree build-fuzz -Dfuzzing=true; then
    timed "fuzz tests" test_tree build-fuzz || status=1
  else
    status=1
  fi
fi

echo "test.sh: times (s): $(paste -sd, "$state/times" | sed 's/,/, /g'); all: $SECONDS"
mapfile -t builds <"$state/builds"
mapfile -t broken <"$state/broken"

# One line for CI: count Criterion assertions' tests, TAP subtests and other
# tests from each build's testlog.json.
# A tree that did not build counts as one failure, named here.
for b in "${broken[@]}"; do echo "test.sh: FAILED to build: $b" >&2; done
python3 - "${#broken[@]}" "${builds[@]}" <<'PY'
import json, re, sys
passed = skipped = 0
failed = int(sys.argv[1])
for d in sys.argv[2:]:
    try:
        lines = open(f"{d}/meson-logs/testlog.json").read().splitlines()
    except OSError:
        continue
    for line in lines:
        t = json.loads(line)
        out = (t.get("stdout") or "") + (t.get("stderr") or "")
        if t.get("result") == "SKIP":
            skipped += 1
            continue
        ok = t.get("result") in ("OK", "EXPECTEDFAIL")
        m = re.search(r"Synthesis: Tested: (\d+) \| Passing: (\d+) \| Failing: (\d+) \| Crashing: (\d+)", out)
        taps = re.findall(r"^(ok|not ok) \d+.*$", out, re.M)
        tap_lines = re.findall(r"^(?:ok|not ok) \d+.*$", out, re.M)
        tap_skips = sum(1 for l in tap_lines if re.search(r"#\s*skip", l, re.I))
        if m:
            passed += int(m.group(2)); failed += int(m.group(3)) + int(m.group(4))
            if not ok and int(m.group(3)) + int(m.group(4)) == 0: failed += 1
        elif taps:
            skipped += tap_skips
            passed += taps.count("ok") - tap_skips; failed += taps.count("not ok")
            if not ok and taps.count("not ok") == 0: failed += 1
        elif ok:
            passed += 1
        else:
            failed += 1
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
PY
exit $status
