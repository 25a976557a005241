# lib.sh - shared helpers for the mock cloud's shell tests (sourced).
# Needs: MOCKCLOUD (the binary), curl, python3, openssl.
set -u

T=$(mktemp -d "${TMPDIR:-/tmp}/mctest.XXXXXX")
MC_PID=
FAILS=0
CHECKS=0

cleanup() {
	if [ -n "$MC_PID" ]; then kill -TERM "$MC_PID" 2>/dev/null; wait "$MC_PID" 2>/dev/null; fi
	# MC_STDERR=FILE keeps the server's stderr (sanitizer runs, debugging)
	[ -n "${MC_STDERR:-}" ] && cat "$T/stderr" >> "$MC_STDERR" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

# json FILE EXPR: prints a value of the JSON in FILE (python expression on d).
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); v=$2; print(v if not isinstance(v,(list,dict)) else json.dumps(v))" "$1"; }

# start CONFIG [extra args]: starts the mock cloud, waits for the ready line.
start() {
	local cfg=$1; shift
	"$MOCKCLOUD" --config "$cfg" --seed 42 --ca-dir "$T/ca" --ports-file "$T/ports.json" "$@" >"$T/ready" 2>"$T/stderr" &
	MC_PID=$!
	for _ in $(seq 1 100); do
		[ -s "$T/ready" ] && break
		kill -0 "$MC_PID" 2>/dev/null || { echo "mockcloud died: $(cat "$T/stderr")"; exit 1; }
		sleep 0.05
	done
	[ -s "$T/ready" ] || { echo "no ready line"; exit 1; }
	HTTPS=$(json "$T/ready" 'd["https"]')
	HTTP=$(json "$T/ready" 'd["http"]')
	CONTROL=$(json "$T/ready" 'd["control"]')
	REFUSE=$(json "$T/ready" 'd["refuse"]')
	CA=$(json "$T/ready" 'd["ca"]')
	ICA=$(json "$T/ready" 'd["inspection_ca"]')
	CONNECT_TO=()
	while read -r r; do CONNECT_TO+=(--connect-to "$r"); done < <(python3 -c 'import json,sys; [print(r) for r in json.load(open(sys.argv[1]))["connect_to"]]' "$T/ready")
}

proxy_port() { json "$T/ready" "d['proxies']['$1']"; }

# fetch URL [curl args]: runs curl through the mock world's connect-to rules;
# (NO_CONNECT_TO=1: without them, as through a proxy);
# sets RC (curl exit), CODE (status), ERR (stderr), BODY, SECS.
fetch() {
	local url=$1; shift
	local ct=("${CONNECT_TO[@]}")
	[ "${NO_CONNECT_TO:-0}" = 1 ] && ct=()
	CODE=$(curl -sS --max-time 5 "${ct[@]}" --cacert "$CA" -o "$T/body" -D "$T/headers" \
		-w '%{http_code} %{time_total}' "$@" "$url" 2>"$T/err")
	RC=$?
	SECS=${CODE#* }
	CODE=${CODE%% *}
	ERR=$(cat "$T/err")
	BODY=$(cat "$T/body" 2>/dev/null)
	HEADERS=$(cat "$T/headers" 2>/dev/null)
}

ok() { CHECKS=$((CHECKS + 1)); echo "ok   $*"; }
bad() { CHECKS=$((CHECKS + 1)); FAILS=$((FAILS + 1)); echo "FAIL $*"; }

# expect NAME CONDITION-STRING...: evaluates the test command.
check() {
	local name=$1; shift
	if "$@"; then ok "$name"; else bad "$name (rc=$RC code=$CODE err=$ERR)"; fi
}

# checke NAME 'EXPR': like check, for compound shell expressions.
checke() {
	local name=$1; shift
	if eval "$1"; then ok "$name"; else bad "$name (rc=$RC code=$CODE err=$ERR)"; fi
}

has() { case "$1" in *"$2"*) return 0;; *) return 1;; esac; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 >= b + 0) }'; }

# issuer_cn HOST [PROXY-PORT]: the issuer CN the TLS server presents for HOST.
issuer_cn() {
	echo | openssl s_client -connect "127.0.0.1:$HTTPS" -servername "$1" 2>/dev/null |
		sed -n 's/^issuer=.*CN *= *\([^,]*\).*/\1/p' | head -1
}

ctl() { # ctl METHOD PATH [BODY]: control API; sets CODE, BODY
	local m=$1 p=$2
	if [ $# -ge 3 ]; then
		CODE=$(curl -sS -o "$T/cbody" -w '%{http_code}' -X "$m" --data-binary "$3" "http://127.0.0.1:$CONTROL$p")
	else
		CODE=$(curl -sS -o "$T/cbody" -w '%{http_code}' -X "$m" "http://127.0.0.1:$CONTROL$p")
	fi
	BODY=$(cat "$T/cbody")
}

finish() {
	echo "$((CHECKS - FAILS))/$CHECKS checks passed"
	[ "$FAILS" -eq 0 ]
	exit $?
}
