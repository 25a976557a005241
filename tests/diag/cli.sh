#!/usr/bin/env bash
# cli.sh MDEDIAG SOURCE_ROOT - the mdediag command line from outside: exit
# codes, every bundled fixture's verdict, bad fixtures and bad usage.
# Prints TAP.
set -u
bin=$1 root=$2
n=0 failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { n=$((n + 1)); echo "ok $n - $1"; }
no() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
check() { if eval "$2"; then ok "$1"; else no "$1"; fi; }

# every device fixture: the expected verdict, exit 1 exactly when an error is found
for f in "$root"/fixtures/devices/*.json; do
  name=$(basename "$f" .json)
  [ "$name" = expected-verdicts ] && continue
  want=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" \
         "$root/fixtures/devices/expected-verdicts.json" "$name")
  "$bin" --fixture "$f" --format json --no-network >"$tmp/out.json" 2>"$tmp/err"
  rc=$?
  got=$(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); e=[f for f in r['findings'] if f['severity']=='error']; print(r['verdict']['id'], 1 if e else 0)" "$tmp/out.json" 2>/dev/null)
  check "$name: verdict $want, exit matches errors" "[ \"$got\" = \"$want $rc\" ]"
done

# every malformed fixture: exit 2, one line naming the file and a JSON path
for f in "$root"/fixtures/malformed/*.json; do
  timeout 10 "$bin" --fixture "$f" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  check "malformed $(basename "$f"): exit 2 with a path" \
    "[ $rc = 2 ] && [ ! -s $tmp/out ] && grep -q '$f: \\\$' $tmp/err && [ \$(wc -l < $tmp/err) = 1 ]"
done

# collect then replay: the same findings as diagnosing the source directly
for f in "$root"/fixtures/devices/*.json; do
  name=$(basename "$f" .json)
  [ "$name" = expected-verdicts ] && continue
  "$bin" collect --fixture "$f" --output "$tmp/c.json" 2>"$tmp/err"
  rc=$?
  "$bin" --fixture "$f" --format json --no-network >"$tmp/a.json"
  "$bin" --fixture "$tmp/c.json" --format json --no-network >"$tmp/b.json" 2>>"$tmp/err"
  same=$(python3 -c "import json,sys; a,b=(json.load(open(p))['findings'] for p in sys.argv[1:]); print(int(a==b and len(a)>3))" "$tmp/a.json" "$tmp/b.json" 2>/dev/null)
  check "collect/replay $name: exit 0, same findings" "[ $rc = 0 ] && [ \"$same\" = 1 ]"
done

"$bin" --fixture /nonexistent.json >/dev/null 2>"$tmp/err"; rc=$?
check "missing fixture: exit 2" "[ $rc = 2 ] && grep -q 'cannot open' $tmp/err"
"$bin" >/dev/null 2>"$tmp/err"; rc=$?
check "no fixture on Linux: exit 2 and says why" "[ $rc = 2 ] && grep -q 'needs Windows' $tmp/err"
"$bin" --frobnicate >/dev/null 2>&1; rc=$?
check "unknown option: exit 2" "[ $rc = 2 ]"
"$bin" --fixture "$root/fixtures/devices/healthy-win11.json" --format xml >/dev/null 2>&1; rc=$?
check "unknown format: exit 2" "[ $rc = 2 ]"
"$bin" --fixture "$root/fixtures/devices/healthy-win11.json" --timeout -3 >/dev/null 2>&1; rc=$?
check "bad timeout: exit 2" "[ $rc = 2 ]"
"$bin" --fixture "$root/fixtures/devices/healthy-win11.json" --no-network --format json --output "$tmp/r.json" >"$tmp/out"; rc=$?
check "--output writes the report, nothing on stdout" "[ $rc = 0 ] && [ ! -s $tmp/out ] && python3 -m json.tool $tmp/r.json >/dev/null"
"$bin" --fixture "$root/fixtures/devices/healthy-win11.json" --no-network --baselines /nonexistent >/dev/null 2>&1; rc=$?
check "missing baselines file: exit 2" "[ $rc = 2 ]"
"$bin" --version | grep -q '^mdediag ' && ok "--version" || no "--version"

echo "1..$n"
[ $failed = 0 ]
