#!/usr/bin/env bash
# badconfig.sh - every file in bad/ must make mockcloud exit 2 with one
# stderr line naming the file and the JSON path (bad/expected.tsv).
. "$(dirname "$0")/lib.sh"
DIR=$(cd "$(dirname "$0")/bad" && pwd)

while IFS=$'\t' read -r file want; do
	"$MOCKCLOUD" --config "$DIR/$file" --ca-dir "$T/ca" >"$T/out" 2>"$T/err" &
	pid=$!
	for _ in $(seq 1 40); do kill -0 $pid 2>/dev/null || break; sleep 0.05; done
	if kill -0 $pid 2>/dev/null; then kill -TERM $pid; wait $pid; bad "$file: still running"; continue; fi
	wait $pid; rc=$?
	err=$(cat "$T/err")
	if [ "$rc" = 2 ] && has "$err" "$DIR/$file: $want" && [ "$(wc -l <"$T/err")" = 1 ] && [ ! -s "$T/out" ]; then
		ok "$file: exit 2, $want"
	else
		RC=$rc CODE=- ERR=$err bad "$file: rc=$rc stderr=$err (want: $want)"
	fi
done < "$DIR/expected.tsv"

# host count: capped; duplicates found by hashing (the check used to be
# quadratic), the later one named
python3 -c 'import json; json.dump({"hosts": {"h%d.example" % i: {"faults": []} for i in range(4097)}}, open("'"$T"'/many.json", "w"))'
timeout 30 "$MOCKCLOUD" --config "$T/many.json" --ca-dir "$T/ca" >"$T/out" 2>"$T/err"; rc=$?
checke "4097 hosts: exit 2, over the cap" '[ $rc = 2 ] && has "$(cat "$T/err")" "$T/many.json: \$.hosts: 4097 hosts, more than the 4096 allowed"'
python3 -c 'import json; h = ["h%d.example" % i for i in range(4095)] + ["H17.Example"]; print("{\"hosts\": {" + ", ".join("\"%s\": {\"faults\": []}" % n for n in h) + "}}")' > "$T/dup.json"
timeout 30 "$MOCKCLOUD" --config "$T/dup.json" --ca-dir "$T/ca" >"$T/out" 2>"$T/err"; rc=$?
checke "4096 hosts, the last a duplicate ignoring case: exit 2 naming it" '[ $rc = 2 ] && has "$(cat "$T/err")" "\$.hosts[\"H17.Example\"]: host given twice"'

"$MOCKCLOUD" --config "$T/nonexistent.json" 2>"$T/err"; rc=$?
checke "missing config file: exit 2 naming the file" '[ $rc = 2 ] && has "$(cat "$T/err")" "nonexistent.json"'
"$MOCKCLOUD" --config 2>"$T/err"; rc=$?
checke "usage error: exit 2, one line and the hint" '[ $rc = 2 ] && [ "$(wc -l < "$T/err")" = 2 ] && has "$(cat "$T/err")" "Try" && has "$(cat "$T/err")" "mockcloud --help"'
"$MOCKCLOUD" --config "$DIR/../good.json" --seed x 2>"$T/err"; rc=$?
check "non-numeric --seed: exit 2" [ $rc = 2 ]
finish
