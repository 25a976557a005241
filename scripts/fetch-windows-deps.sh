#!/usr/bin/env bash
# fetch-windows-deps.sh - puts the C sources of mbedTLS and cJSON into
# subprojects/ for the MinGW cross build (cross/mingw64.txt).
#
# Debian ships both libraries for Linux only, so the Windows build compiles
# them from Debian's *source* packages (`apt-get source`), the same versions
# the Linux build links. Third-party sources are never committed: they land
# in the git-ignored subprojects/mbedtls and subprojects/cjson, and our own
# small meson.build overlays (subprojects/packagefiles/) are copied on top.
#
# Contract:
#   - idempotent: when the wanted versions are already unpacked it only
#     refreshes the overlays (so editing an overlay needs just a re-run);
#   - the machine's apt configuration is not modified: a private deb-src
#     entry (derived from /etc/apt/sources.list.d/debian.sources, or from
#     sources.list) and a private lists directory live in a temporary
#     directory that is removed on exit;
#   - needs apt-get and dpkg-source (package dpkg-dev); no root needed
#     beyond reading the apt keyrings;
#   - MDEDIAG_FORCE_FETCH=1 fetches again even when present.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SUB="$ROOT/subprojects"
OVL="$SUB/packagefiles"
PKGS=(mbedtls cjson)

log() { echo "fetch-windows-deps: $*" >&2; }

# Copies our overlay over an unpacked source tree.
overlay() {
	local name=$1
	cp -R "$OVL/$name/." "$SUB/$name/"
}

present() {
	local name=$1
	[ -f "$SUB/$name/.mdediag-source" ] && [ -f "$SUB/$name/meson.build" ]
}

if [ "${MDEDIAG_FORCE_FETCH:-0}" != 1 ]; then
	all=1
	for p in "${PKGS[@]}"; do present "$p" || all=0; done
	if [ $all = 1 ]; then
		for p in "${PKGS[@]}"; do overlay "$p"; done
		log "present: $(cat "$SUB"/mbedtls/.mdediag-source) $(cat "$SUB"/cjson/.mdediag-source) (overlays refreshed)"
		exit 0
	fi
fi

command -v dpkg-source >/dev/null || { log "dpkg-source missing: install dpkg-dev"; exit 2; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/parts" "$TMP/lists/partial" "$TMP/archives/partial" "$TMP/src"
# apt drops privileges to _apt for downloads; let it write there.
chmod 755 "$TMP"
chown -R _apt "$TMP/lists" "$TMP/src" 2>/dev/null || true

# A deb-src twin of every deb entry the machine already uses.
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
	sed -e 's/^Types:.*/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
		>"$TMP/parts/mdediag-src.sources"
elif [ -f /etc/apt/sources.list ]; then
	grep -E '^deb ' /etc/apt/sources.list | sed -e 's/^deb /deb-src /' \
		>"$TMP/parts/mdediag-src.list"
else
	log "no apt source to derive a deb-src entry from"; exit 2
fi

APT=(apt-get -q
	-o Dir::Etc::SourceList=/dev/null
	-o Dir::Etc::SourceParts="$TMP/parts"
	-o Dir::State::Lists="$TMP/lists"
	-o Dir::Cache::Archives="$TMP/archives"
	-o Dir::Cache::pkgcache=
	-o Dir::Cache::srcpkgcache=)

t0=$(date +%s.%N)
"${APT[@]}" update >"$TMP/update.log" 2>&1 || { cat "$TMP/update.log" >&2; log "apt-get update failed"; exit 1; }
(cd "$TMP/src" && "${APT[@]}" source "${PKGS[@]}") >"$TMP/source.log" 2>&1 ||
	{ cat "$TMP/source.log" >&2; log "apt-get source failed"; exit 1; }

for p in "${PKGS[@]}"; do
	dir=$(find "$TMP/src" -mindepth 1 -maxdepth 1 -type d -name "$p-*" | head -n 1)
	[ -n "$dir" ] || { log "no unpacked source for $p"; exit 1; }
	dsc=$(find "$TMP/src" -maxdepth 1 -name "${p}_*.dsc" | head -n 1)
	ver=$(sed -n 's/^Version: //p' "$dsc")
	rm -rf "$SUB/$p"
	mv "$dir" "$SUB/$p"
	echo "$p $ver" >"$SUB/$p/.mdediag-source"
	overlay "$p"
	log "unpacked $p $ver"
done
t1=$(date +%s.%N)
log "fetched in $(awk "BEGIN { printf \"%.1f\", $t1 - $t0 }") s"
