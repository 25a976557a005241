#!/usr/bin/env bash
# mutate.sh [NAME...] - are the tests watching? Makes a handful of
# deliberate faults in the diagnosis, one at a time, in a copy of the
# committed tree (build-mutate/src, from `git archive HEAD`), rebuilds and
# runs the fast suites (diag, probe, report units, the scenario suite) and
# says for each fault whether a test caught it. Every fault must be caught;
# results are recorded in docs/contributing.md ("Tests that can fail").
#
# A fault is an exact text replacement in one file. When the text is no
# longer there (the code moved on), the script says so and fails: update
# the fault, never drop it silently.
# Exit: 0 every fault caught, 1 a fault survived or no longer applies.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$root/build-mutate
src=$work/src

# fault NAME FILE TEXT REPLACEMENT WHAT-IT-BREAKS
names=() files=() olds=() news=() whats=()
fault() { names+=("$1"); files+=("$2"); olds+=("$3"); news+=("$4"); whats+=("$5"); }
fault verdict-rule diag/verdict.c $'\tif (undetermined) {' $'\tif (0 && undetermined) {' \
  "the re-onboard plan offered although a check that could explain the device was not determined"
fault severity diag/check_sense.c '"sense.missing.server2016-agent", DX_SEV_ERROR' \
  '"sense.missing.server2016-agent", DX_SEV_WARNING' \
  "a Server 2016 without the unified agent reported as a warning, not an error"
fault probe-class diag/net/probe.c 'finish(p, DX_PR_PROXY_DENIED,' 'finish(p, DX_PR_HTTP_STATUS,' \
  "a proxy's 403 to CONNECT classified as the server's HTTP status"
fault pac-answer data/pac_helpers.js 'return ((a & m) >>> 0) === ((p & m) >>> 0);' \
  'return ((a & m) >>> 0) !== ((p & m) >>> 0);' "PAC isInNet() answering the opposite"
fault pac-resolver diag/net/wpad.c 'env.ud = net ? &st->net : NULL;' 'env.ud = NULL;' \
  "PAC dnsResolve() never reaching the device's resolver"
fault redaction diag/redact.c 'return b[0] == 127 || b[0] == 10 ||' 'return b[0] == 127 ||' \
  "collect --redact leaving 10.0.0.0/8 addresses in the file"
fault root-trust diag/check_trust.c $'if (allowed == 1 && (root_dir_url[0] || !probe || strcmp(probe, "ok") == 0)) {' \
  $'if (allowed != 0) {' \
  "a root missing while its download host is unreachable reported as information"
fault clock diag/net/check_clock.c 'mag > max_skew ? DX_SEV_ERROR : DX_SEV_INFO' \
  'mag > 100 * max_skew ? DX_SEV_ERROR : DX_SEV_INFO' \
  "a device clock an hour off the MDE cloud's judged fine"
fault advice diag/net/check_net.c 'case DX_PR_DNS: kind = "dns"; break;' \
  'case DX_PR_DNS: kind = "connect-direct"; break;' \
  "a name that does not resolve advised as a firewall rule"
fault sense-log diag/check_senselog.c 'if (later || (g->row.resolved_when_running && running)) {' \
  'if (1) {' "every failure in Sense's own log taken as overcome"
fault mma diag/check_mma.c $'\t\tvariant = "mma-only";\n\t\tsev = DX_SEV_ERROR;' \
  $'\t\tvariant = "mma-only";\n\t\tsev = DX_SEV_WARNING;' \
  "a Server 2016 still onboarded only through the MMA reported as a warning, not the cause"
fault deploy-tool diag/check_deploytool.c 'if (e - q <= 6) {' 'if (e - q <= 6 && !hit) {' \
  "the deployment tool's first exit code in its log taken instead of the last"

want=("$@")
mkdir -p "$work"
rm -rf "$src"
mkdir -p "$src"
git archive HEAD | tar -x -C "$src" || { echo "mutate: cannot copy HEAD" >&2; exit 1; }
if [ ! -f "$work/build/build.ninja" ]; then
  meson setup "$work/build" "$src" >"$work/setup.log" 2>&1 || { cat "$work/setup.log"; exit 1; }
fi
ninja -C "$work/build" >"$work/build.log" 2>&1 || { tail -20 "$work/build.log"; exit 1; }

# The fast suites: unit tests and CLI of the diagnosis, the probe and PAC,
# the report units, the scenario suite (with collect/replay and redaction).
# Passes only when tests ran (meson test exits 0 when its selection is
# empty) and none failed.
suites() {
  meson test -C "$work/build" --no-rebuild --num-processes 2 \
    --suite diag --suite probe --suite scenarios >"$work/test.log" 2>&1 || return 1
  meson test -C "$work/build" --no-rebuild report-unit >>"$work/test.log" 2>&1 || return 1
  local ran
  ran=$(sed -n 's/^Ok: *\([0-9]*\).*/\1/p' "$work/test.log" | paste -sd+ | bc)
  [ "${ran:-0}" -ge 8 ] || { echo "mutate: only ${ran:-0} tests ran" >>"$work/test.log"; return 1; }
}

echo "mutate: the unchanged tree first"
if ! suites; then
  grep -E "FAIL|TIMEOUT" "$work/test.log" | head
  echo "mutate: the unchanged tree fails its tests: nothing to learn from faults" >&2
  exit 1
fi

caught=0 survived=0 stale=0
for i in "${!names[@]}"; do
  name=${names[$i]} file=${files[$i]} old=${olds[$i]} new=${news[$i]} what=${whats[$i]}
  if [ ${#want[@]} -gt 0 ] && [[ ! " ${want[*]} " == *" $name "* ]]; then
    continue
  fi
  cp "$src/$file" "$work/orig"
  if ! python3 - "$src/$file" "$old" "$new" <<'PY'
import sys
p, old, new = sys.argv[1:4]
s = open(p).read()
if s.count(old) != 1:
    sys.exit(1)
open(p, "w").write(s.replace(old, new))
PY
  then
    echo "STALE    $name: its text is not in $file exactly once: update scripts/mutate.sh"
    stale=$((stale + 1))
    continue
  fi
  if ! ninja -C "$work/build" >"$work/build.log" 2>&1; then
    echo "CAUGHT   $name: the build fails ($what)"
    caught=$((caught + 1))
  elif suites; then
    echo "SURVIVED $name: every fast test passes with $what"
    survived=$((survived + 1))
  else
    by=$(grep -E "^ *[0-9]+/[0-9]+ .*(FAIL|TIMEOUT|ERROR)" "$work/test.log" | sed -E 's/^ *[0-9]+\/[0-9]+ +mdediag:[a-z-]+ \/ ([^ ]+).*/\1/' | sort -u | tr '\n' ' ')
    echo "CAUGHT   $name: $what -- by ${by:-a test}"
    caught=$((caught + 1))
  fi
  cp "$work/orig" "$src/$file"
done
ninja -C "$work/build" >/dev/null 2>&1
echo "mutate: $caught caught, $survived survived, $stale no longer apply"
[ $survived = 0 ] && [ $stale = 0 ]
