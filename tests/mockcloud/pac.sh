#!/usr/bin/env bash
# pac.sh - PAC files on the HTTP front (docs/mockcloud.md "PAC files"):
# served with their type, 404 on demand, padding, garbage, host faults.
. "$(dirname "$0")/lib.sh"
cat > "$T/pac.json" <<'JSON'
{"pac": [
  {"host": "wpad.contoso.local", "script": "function FindProxyForURL(u, h) { return 'DIRECT'; }"},
  {"host": "wpad.contoso.local", "path": "/gone.pac", "status": 404},
  {"host": "big.contoso.local", "script": "function FindProxyForURL(u, h) { return 'DIRECT'; }", "pad_to": 100000},
  {"host": "junk.contoso.local", "garbage": 5000},
  {"host": "slow.contoso.local", "script": "x"}
 ],
 "hosts": {"slow.contoso.local": {"faults": [{"type": "silent", "seconds": 3}]}}}
JSON
start "$T/pac.json"
fetch "http://wpad.contoso.local/wpad.dat?x=1"
check "PAC file served at its path (query ignored)" [ "$CODE" = 200 -a "$BODY" = "function FindProxyForURL(u, h) { return 'DIRECT'; }" ]
check "served as application/x-ns-proxy-autoconfig" has "$HEADERS" "Content-Type: application/x-ns-proxy-autoconfig"
fetch "http://WPAD.contoso.local/wpad.dat"
check "host compared ignoring case" [ "$CODE" = 200 ]
fetch "http://wpad.contoso.local/gone.pac"
check "status 404 on demand" [ "$CODE" = 404 ]
fetch "http://wpad.contoso.local/other.pac"
check "another path falls through to the table (404)" [ "$CODE" = 404 ]
fetch "http://big.contoso.local/wpad.dat"
check "pad_to: exactly that many bytes, script first" sh -c "[ \$(stat -c %s '$T/body') = 100000 ] && head -c 20 '$T/body' | grep -q '^function'"
fetch "http://junk.contoso.local/wpad.dat"
check "garbage: that many bytes, no NUL" sh -c "[ \$(stat -c %s '$T/body') = 5000 ] && [ \$(tr -d '\\000' < '$T/body' | wc -c) = 5000 ]"
fetch "http://slow.contoso.local/wpad.dat" --max-time 1
check "a silent host fault applies to its PAC file (client times out)" [ "$RC" = 28 ]
finish
