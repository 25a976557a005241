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

# Python reads the reports (one interpreter for all of them): it prints
# "ok - ..." or "not ok - ..." lines that are numbered here. The script's
# own failure (a traceback, a missing entry) is a failed check, never fewer
# checks: its exit status is checked, and so is that it printed a line.
py() {
  cat >"$tmp/check.py"  # the script comes on stdin; the loop must not run in a subshell
  local rc lines=0
  python3 "$tmp/check.py" "$@" >"$tmp/check.out" 2>"$tmp/check.err"
  rc=$?
  while IFS= read -r line; do
    lines=$((lines + 1))
    case $line in
      "ok - "*) ok "${line#ok - }" ;;
      *) no "${line#not ok - }" ;;
    esac
  done <"$tmp/check.out"
  if [ $rc != 0 ] || [ $lines = 0 ]; then
    no "the report checker ran to its end (exit $rc, $lines lines): $(tail -n 1 "$tmp/check.err")"
  fi
}

# every device fixture: the expected verdict, exit 1 exactly when an error is found
names=()
for f in "$root"/fixtures/devices/*.json; do
  name=$(basename "$f" .json)
  [ "$name" = expected-verdicts ] && continue
  names+=("$name")
  "$bin" --fixture "$f" --format json --no-network >"$tmp/$name.json" 2>"$tmp/$name.err"
  echo $? >"$tmp/$name.rc"
done
py "$root/fixtures/devices/expected-verdicts.json" "$tmp" "${names[@]}" <<'PY'
import json, sys
want = json.load(open(sys.argv[1]))
names = sys.argv[3:]
# every device has an expected verdict, and every expected verdict a device
print(("ok" if names and set(names) == set(want) else "not ok") +
      f" - {len(names)} device fixtures, {len(want)} expected verdicts, the same names")
for name in names:
    d = f"{sys.argv[2]}/{name}"
    expect = want.get(name, "(none in expected-verdicts.json)")
    try:
        r = json.load(open(d + ".json"))
        rc = int(open(d + ".rc").read())
        errors = any(f["severity"] == "error" for f in r["findings"])
        good = r["verdict"]["id"] == expect and rc == (1 if errors else 0)
    except Exception as e:
        good = False
    print(("ok" if good else "not ok") + f" - {name}: verdict {expect}, exit matches errors")
PY
# every malformed fixture: exit 2, one line naming the file and a JSON path
for f in "$root"/fixtures/malformed/*.json; do
  timeout 10 "$bin" --fixture "$f" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  check "malformed $(basename "$f"): exit 2 with a path" \
    "[ $rc = 2 ] && [ ! -s $tmp/out ] && grep -q '$f: \\\$' $tmp/err && [ \$(wc -l < $tmp/err) = 1 ]"
done

# collect then replay: the same findings as diagnosing the source directly
for name in "${names[@]}"; do
  f="$root/fixtures/devices/$name.json"
  # collect with the diagnosis' options; the file says the network was not
  # tested, so the replay needs no --no-network
  "$bin" collect --fixture "$f" --no-network --output "$tmp/$name.collected.json" 2>>"$tmp/collect.err"
  echo $? >"$tmp/$name.collect.rc"
  "$bin" --fixture "$tmp/$name.collected.json" --format json \
    >"$tmp/$name.replay.json" 2>>"$tmp/collect.err"
done
py "$tmp" "${names[@]}" <<'PY'
import json, sys
for name in sys.argv[2:]:
    d = f"{sys.argv[1]}/{name}"
    try:
        a = json.load(open(d + ".json"))["findings"]
        b = json.load(open(d + ".replay.json"))["findings"]
        good = int(open(d + ".collect.rc").read()) == 0 and a == b and len(a) > 3
    except Exception:
        good = False
    print(("ok" if good else "not ok") + f" - collect/replay {name}: exit 0, same findings")
PY

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
printf '{"versions": {"note": "a\tb"}}' >"$tmp/bl.json"
"$bin" --fixture "$root/fixtures/devices/healthy-win11.json" --no-network --baselines "$tmp/bl.json" >/dev/null 2>"$tmp/err"; rc=$?
check "baselines with a raw tab in a string: exit 2 naming file and place" "[ $rc = 2 ] && grep -q 'bl.json: raw control character U+0009 inside a string at line 1, column 25' $tmp/err"
"$bin" --version | grep -q '^mdediag ' && ok "--version" || no "--version"

# command-line conventions: --opt=value, one-line errors with a hint, --help
fx="$root/fixtures/devices/healthy-win11.json"
"$bin" --fixture="$fx" --no-network --format=json --lang=ja >"$tmp/out" 2>"$tmp/err"; rc=$?
check "--opt=value form" "[ $rc = 0 ] && python3 -m json.tool $tmp/out >/dev/null"
"$bin" --help >"$tmp/out" 2>"$tmp/err"; rc=$?
check "--help: usage on stdout, exit 0" "[ $rc = 0 ] && head -1 $tmp/out | grep -q '^usage: mdediag' && [ ! -s $tmp/err ]"
# usage_err ARGS... EXPECTED-FIRST-LINE: exit 2, nothing on stdout, exactly
# the line and the hint on stderr
usage_err() {
  local want=${*: -1}
  "$bin" "${@:1:$#-1}" >"$tmp/out" 2>"$tmp/err"; local rc=$?
  printf '%s\nTry '"'"'mdediag --help'"'"'.\n' "$want" >"$tmp/want"
  check "${*:1:$#-1}: exit 2, one line and the hint" \
    "[ $rc = 2 ] && [ ! -s $tmp/out ] && cmp -s $tmp/want $tmp/err || { cat $tmp/err; false; }"
}
usage_err --frobnicate "mdediag: unknown option '--frobnicate'"
usage_err --frobnicate=1 "mdediag: unknown option '--frobnicate'"
usage_err -z "mdediag: unknown option '-z'"
usage_err --no-network=yes "mdediag: option '--no-network' takes no value"
usage_err --fixture "mdediag: option '--fixture' needs a value"
usage_err --fixture "$fx" --timeout 0 "mdediag: --timeout 0: expected seconds, more than 0 and at most 600"
usage_err --fixture "$fx" --timeout=600.5 "mdediag: --timeout 600.5: expected seconds, more than 0 and at most 600"
usage_err --fixture "$fx" --anchors /nonexistent "mdediag: --anchors /nonexistent: No such file or directory"
usage_err --fixture "$fx" --service-tags /nonexistent "mdediag: --service-tags /nonexistent: No such file or directory"
usage_err --fixture "$fx" --connect-to example.com:443 "mdediag: --connect-to example.com:443: expected HOST:PORT:ADDR:PORT (ports 1-65535 or empty, [v6] addresses)"
usage_err --fixture "$fx" --connect-to a:443:127.0.0.1:70000 "mdediag: --connect-to a:443:127.0.0.1:70000: expected HOST:PORT:ADDR:PORT (ports 1-65535 or empty, [v6] addresses)"
usage_err collect --fixture "$fx" stray "mdediag: unexpected argument 'stray'"
usage_err --fixture "$fx" --encoding latin9 "mdediag: --encoding latin9: expected auto, utf-8, utf-8-bom, utf-16le or cpN (a Windows code page, e.g. cp932)"
usage_err --fixture "$fx" --encoding cp932 "mdediag: --encoding cp932: code pages are converted on Windows only (here: auto, utf-8, utf-8-bom, utf-16le)"
usage_err --fixture "$fx" --format json --encoding utf-16le "mdediag: --encoding utf-16le: JSON and HTML are always UTF-8; --encoding is for --format text and intune"
usage_err collect --fixture "$fx" --encoding utf-8-bom "mdediag: --encoding utf-8-bom: JSON and HTML are always UTF-8; --encoding is for --format text and intune"
# --encoding for the text formats (docs/windows.md): the same report, its BOM
for fmt in text intune; do
  "$bin" --fixture "$fx" --no-network --lang ja --format $fmt >"$tmp/enc-plain" 2>/dev/null
  "$bin" --fixture "$fx" --no-network --lang ja --format $fmt --encoding auto >"$tmp/enc-auto" 2>/dev/null
  "$bin" --fixture "$fx" --no-network --lang ja --format $fmt --encoding utf-8-bom >"$tmp/enc-bom" 2>/dev/null
  "$bin" --fixture "$fx" --no-network --lang ja --format $fmt --output "$tmp/enc-u16" --encoding UTF-16LE 2>/dev/null
  py "$fmt" "$tmp" <<'PY'
import sys
fmt, d = sys.argv[1], sys.argv[2]
plain = open(d + "/enc-plain", "rb").read()
ok = lambda c, m: print(("ok" if c else "not ok") + " - --format %s --encoding %s" % (fmt, m))
ok(open(d + "/enc-auto", "rb").read() == plain and "通信テスト".encode() in plain, "auto: UTF-8 off Windows")
ok(open(d + "/enc-bom", "rb").read() == b"\xef\xbb\xbf" + plain, "utf-8-bom: the BOM, then the UTF-8 report")
u16 = open(d + "/enc-u16", "rb").read()
ok(u16[:2] == b"\xff\xfe" and u16[2:].decode("utf-16-le").encode() == plain, "utf-16le: the BOM, then the report (--output)")
PY
done
# the documented ranges are accepted
for t in 600 0.001 2.5; do
  "$bin" --fixture "$fx" --no-network --timeout "$t" >/dev/null 2>&1; rc=$?
  check "--timeout $t accepted" "[ $rc = 0 ]"
done
"$bin" --fixture "$fx" --no-network --connect-to ::127.0.0.1: --connect-to 'h:80:[::1]:8080' >/dev/null 2>&1; rc=$?
check "--connect-to with empty fields and a [v6] address accepted" "[ $rc = 0 ]"

# selftest: Windows only (docs/windows.md); usage errors come first
"$bin" selftest >"$tmp/out" 2>"$tmp/err"; rc=$?
check "selftest on Linux: exit 2, says it needs Windows, nothing on stdout" \
  "[ $rc = 2 ] && [ ! -s $tmp/out ] && grep -q 'it needs Windows' $tmp/err || { cat $tmp/err; false; }"
"$bin" selftest --output >"$tmp/out" 2>"$tmp/err"; rc=$?
check "selftest --output without a value: exit 2 and the hint" \
  "[ $rc = 2 ] && grep -q \"option '--output' needs a value\" $tmp/err && grep -q 'mdediag selftest --help' $tmp/err"
"$bin" selftest --fixture x >"$tmp/out" 2>"$tmp/err"; rc=$?
check "selftest takes no diagnosis option: exit 2" \
  "[ $rc = 2 ] && grep -q \"unexpected argument '--fixture'\" $tmp/err"
"$bin" selftest --help >"$tmp/out" 2>"$tmp/err"; rc=$?
check "selftest --help: exit 0, the usage with the exit statuses" \
  "[ $rc = 0 ] && grep -q '^usage: mdediag selftest \[--output FILE\]' $tmp/out && grep -q '1 one' $tmp/out"

echo "1..$n"
[ $failed = 0 ]
