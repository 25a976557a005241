#!/usr/bin/env bash
# stress.sh - runs mc_stress against a mock cloud with short deadlines:
# 1,000 TLS sessions held open plus 500 hostile connections.
. "$(dirname "$0")/lib.sh"
cat > "$T/config.json" <<'JSON'
{"timeouts": {"handshake_ms": 1500, "header_ms": 800, "idle_ms": 30000}}
JSON
start "$T/config.json"
"$MC_STRESS" "$MC_PID" "$HTTPS" "$HTTP" "$CA" 1000
rc=$?
kill -0 "$MC_PID" 2>/dev/null || { echo "FAIL mockcloud died"; exit 1; }
exit $rc
