#!/usr/bin/env bash
# control.sh - the control API: set/clear a host's faults, replace the
# config (idempotent), reset, journal, state, and 400s naming the JSON path.
. "$(dirname "$0")/lib.sh"

cat > "$T/config.json" <<'JSON'
{"hosts": {"winatp-gw-neu.microsoft.com": {"faults": [{"type": "status", "code": 503}]}},
 "proxies": [{"name": "corp", "as": "proxy.contoso.local:8080"}]}
JSON
start "$T/config.json"

fetch https://winatp-gw-neu.microsoft.com/test
check "start config applies (503)" [ "$CODE" = 503 ]

ctl PUT /hosts/winatp-gw-weu.microsoft.com/faults '[{"type": "status", "code": 429}]'
check "PUT /hosts/{host}/faults answers 200" [ "$CODE" = 200 ]
fetch https://winatp-gw-weu.microsoft.com/test
check "the new fault applies to the next connection (429)" [ "$CODE" = 429 ]

ctl PUT /hosts/winatp-gw-weu.microsoft.com/faults '{"faults": [{"type": "refuse"}]}'
ctl GET /state
echo "$BODY" > "$T/state.json"
check "GET /state lists the refused host's rule first" python3 -c "
import json,sys; s=json.load(open(sys.argv[1])); c=s['connect_to']
sys.exit(0 if c[0]=='winatp-gw-weu.microsoft.com:443:127.0.0.1:%d' % s['ports']['refuse'] and c[-1].startswith(':80:') else 1)" "$T/state.json"
check "GET /state shows the config" python3 -c "
import json,sys; s=json.load(open(sys.argv[1])); sys.exit(0 if s['config']['hosts']['winatp-gw-weu.microsoft.com']['faults'][0]['type']=='refuse' else 1)" "$T/state.json"

ctl DELETE /hosts/winatp-gw-weu.microsoft.com/faults
check "DELETE /hosts/{host}/faults answers 200" [ "$CODE" = 200 ]
fetch https://winatp-gw-weu.microsoft.com/test
check "after DELETE the host is healthy again (200)" [ "$CODE" = 200 ]

NEW='{"hosts": {"go.microsoft.com": {"faults": [{"type": "status", "code": 418}]}}, "proxies": [{"name": "corp", "as": "proxy.contoso.local:8080", "mode": "deny"}]}'
ctl PUT /config "$NEW"; c1=$CODE
ctl GET /state; s1=$(python3 -c 'import json,sys; print(json.dumps(json.loads(sys.argv[1])["config"], sort_keys=True))' "$BODY")
ctl PUT /config "$NEW"; c2=$CODE
ctl GET /state; s2=$(python3 -c 'import json,sys; print(json.dumps(json.loads(sys.argv[1])["config"], sort_keys=True))' "$BODY")
check "PUT /config twice: 200 both times, same state (idempotent)" [ "$c1" = 200 -a "$c2" = 200 -a "$s1" = "$s2" ]
fetch https://go.microsoft.com/
check "replaced config applies (418)" [ "$CODE" = 418 ]
fetch https://winatp-gw-neu.microsoft.com/test
check "replaced config dropped the old fault (200)" [ "$CODE" = 200 ]
NO_CONNECT_TO=1 fetch https://winatp-gw-neu.microsoft.com/test --proxy "http://127.0.0.1:$(proxy_port corp)"
checke "a proxy's mode changes with PUT /config (deny → 403)" '[ "$RC" = 56 ] && has "$ERR" 403'

ctl PUT /config '{"hosts": {"x.example": {"faults": [{"type": "rst"}]}}}'
checke "bad fault type: 400 naming the JSON path" '[ "$CODE" = 400 ] && has "$BODY" "\$.hosts[\\\"x.example\\\"].faults[0].type: unknown fault \\\"rst\\\""'
ctl PUT /config '{"hosts": '
checke "invalid JSON body: 400" '[ "$CODE" = 400 ] && has "$BODY" "not JSON"'
ctl PUT /config "$(printf '{"hosts": {"x.example": {"faults": [{"type": "status", "code": 418, "body": "a\tb"}]}}}')"
checke "a raw tab inside a string: 400 naming it" '[ "$CODE" = 400 ] && has "$BODY" "raw control character U+0009 inside a string at line 1, column 79"'
ctl PUT /hosts/go.microsoft.com/faults '[{"type": "delay"}]'
checke "missing parameter: 400 naming \$[0].ms" '[ "$CODE" = 400 ] && has "$BODY" "\$[0].ms: required"'
ctl PUT /config '{"proxies": [{"name": "other", "as": "other.contoso.local:3128"}]}'
checke "a proxy with no listener: 400" '[ "$CODE" = 400 ] && has "$BODY" "\$.proxies[0]"'
fetch https://go.microsoft.com/
check "a rejected config leaves the previous one in force (418)" [ "$CODE" = 418 ]
ctl GET /nope
check "unknown endpoint: 404" [ "$CODE" = 404 ]
ctl GET /config
check "wrong method: 405" [ "$CODE" = 405 ]

ctl POST /reset
check "POST /reset answers 200" [ "$CODE" = 200 ]
ctl GET /journal
check "reset clears the journal" [ "$BODY" = "[]" ]
fetch https://winatp-gw-neu.microsoft.com/test
check "reset restores the start config (503)" [ "$CODE" = 503 ]
fetch https://go.microsoft.com/
check "reset drops later faults (404)" [ "$CODE" = 404 ]
ctl GET /journal
check "journal has exactly the two requests since the reset" python3 -c "
import json,sys; j=json.load(sys.stdin); sys.exit(0 if [e['status'] for e in j]==[503,404] else 1)" <<<"$BODY"
finish
