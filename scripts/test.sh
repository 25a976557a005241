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
run_suite() { # dir [meson setup args...]
  local dir=$1; shift
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" "$@" >"/tmp/mdediag-setup-$$.log" 2>&1 ||
      { cat "/tmp/mdediag-setup-$$.log"; broken+=("$dir (meson setup)"); return 1; }
  fi
  ninja -C "$dir" || { broken+=("$dir (build)"); return 1; }
  builds+=("$dir")
  # Meson's per-test timeouts only catch a hung test; they are not what any
  # test checks. A loaded 2-core machine (or ASan, or Wine) can take three
  # times as long, so they are stretched here rather than tuned per test.
  meson test -C "$dir" --print-errorlogs --num-processes 2 --timeout-multiplier 3
}

status=0
run_suite build || status=1
if [ $asan = 1 ]; then
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    run_suite build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug || status=1
fi

# The fuzz targets' kept findings and seeds run in the sanitizer tree above
# (suite fuzz-replay); fuzzing itself is scripts/fuzz.sh. MDEDIAG_FUZZ=1
# also builds the libFuzzer tree and fuzzes each target a few seconds
# (needs clang: scripts/setup.sh installs it with MDEDIAG_FUZZ=1).
if [ "${MDEDIAG_FUZZ:-0}" = 1 ]; then
  CC=clang run_suite build-fuzz -Dfuzzing=true || status=1
fi

# win32 branch: the Windows build (MinGW cross, mbedTLS/cJSON from Debian's
# source packages) and its Wine tests, which compare mdediag.exe under Wine
# with the native build above (docs/windows.md). MDEDIAG_NO_WINDOWS=1 skips.
if [ "${MDEDIAG_NO_WINDOWS:-0}" != 1 ]; then
  if bash scripts/fetch-windows-deps.sh; then
    mkdir -p build-win/wine
    unset DISPLAY  # Wine headless
    WINEPREFIX="$PWD/build-win/wine/prefix" WINEDEBUG=-all \
      run_suite build-win --cross-file cross/mingw64.txt || status=1
    # leave no Wine server behind holding this script's output open
    WINEPREFIX="$PWD/build-win/wine/prefix" wineserver -k </dev/null >/dev/null 2>&1 || true
  else
    broken+=("build-win (fetching the Windows dependencies)")
    status=1
  fi
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
