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

builds=()
broken=()  # trees that did not configure or build: each counts as a failure
build_tree() { # dir [meson setup args...]: configure once, build
  local dir=$1; shift
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" "$@" >"/tmp/mdediag-setup-$$.log" 2>&1 ||
      { cat "/tmp/mdediag-setup-$$.log"; broken+=("$dir (meson setup)"); return 1; }
  fi
  ninja -C "$dir" || { broken+=("$dir (build)"); return 1; }
  builds+=("$dir")
}
test_tree() { # dir
  # Meson's per-test timeouts only catch a hung test; they are not what any
  # test checks. A loaded 2-core machine (or ASan, or Wine) can take three
  # times as long, so they are stretched here rather than tuned per test.
  meson test -C "$1" --print-errorlogs --num-processes 2 --timeout-multiplier 3
}
wine_prefix=$PWD/build-win/wine/prefix

status=0
# 1. The native tree alone: its scenarios and the probe's deadlines are
#    measured on a machine doing nothing else.
if build_tree build; then test_tree build || status=1; else status=1; fi

# 2. The sanitizer tree (and its fuzz-replay suite: the fuzz targets' kept
#    findings and seeds; fuzzing itself is scripts/fuzz.sh) and the Windows
#    tree (MinGW cross, mbedTLS/cJSON from Debian's source packages;
#    MDEDIAG_NO_WINDOWS=1 skips) are built one after the other...
asan_built=0 win_built=0
if [ $asan = 1 ]; then
  build_tree build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug &&
    asan_built=1 || status=1
fi
if [ "${MDEDIAG_NO_WINDOWS:-0}" != 1 ]; then
  unset DISPLAY  # Wine headless
  if bash scripts/fetch-windows-deps.sh; then
    mkdir -p build-win/wine
    # WINEPREFIX before meson setup: its exe_wrapper check runs Wine
    WINEPREFIX=$wine_prefix WINEDEBUG=-all build_tree build-win --cross-file cross/mingw64.txt &&
      win_built=1 || status=1
  else
    broken+=("build-win (fetching the Windows dependencies)")
    status=1
  fi
fi

# 3. ...and tested side by side: the Wine tests (docs/windows.md) are
#    serial and mostly wait on Wine, the sanitizer tests mostly compute,
#    so together they take little more than the longer of the two. Their
#    deadlines are the slow trees' (harness --slow). The Wine suite's
#    output is printed when both are done.
wine_pid=
if [ $win_built = 1 ]; then
  WINEPREFIX=$wine_prefix WINEDEBUG=-all test_tree build-win \
    >build-win/test-output.log 2>&1 </dev/null &
  wine_pid=$!
fi
if [ $asan_built = 1 ]; then
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1 \
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 test_tree build-asan || status=1
fi
if [ -n "$wine_pid" ]; then
  wait "$wine_pid" || status=1
  cat build-win/test-output.log
  # leave no Wine server behind holding this script's output open
  WINEPREFIX=$wine_prefix wineserver -k </dev/null >/dev/null 2>&1 || true
fi

# MDEDIAG_FUZZ=1 also builds the libFuzzer tree and fuzzes each target a
# few seconds (needs clang: scripts/setup.sh installs it with MDEDIAG_FUZZ=1).
if [ "${MDEDIAG_FUZZ:-0}" = 1 ]; then
  if CC=clang build_tree build-fuzz -Dfuzzing=true; then test_tree build-fuzz || status=1; else status=1; fi
fi

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
