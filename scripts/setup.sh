#!/usr/bin/env bash
# setup.sh - installs the Debian 12 packages the project needs. Idempotent:
# packages already present are not downloaded again. Run as root (or with
# sudo available).
set -euo pipefail

PKGS=(
  meson ninja-build pkg-config gcc python3 python3-jsonschema
  libcriterion-dev libcjson-dev libmbedtls-dev libmicrohttpd-dev
  duktape-dev
  curl ca-certificates man-db
  clang-format  # the style check (tests/style/format_check.py), version 14
)
# The Windows build and the Wine tests (scripts/fetch-windows-deps.sh).
# wine32 (i386) as most Wine users have it: new prefixes are then WoW64,
# with the 32-bit cmd.exe that Intune runs install commands with
# (tests/wine: wine-intune-install); MDEDIAG_NO_WINE32=1 leaves it out
# (a 64-bit-only prefix; the tests pass either way, docs/windows.md).
if [ "${MDEDIAG_NO_WINDOWS:-0}" != 1 ]; then
  PKGS+=(mingw-w64 wine wine64 dpkg-dev)
  if [ "${MDEDIAG_NO_WINE32:-0}" != 1 ]; then
    if ! dpkg --print-foreign-architectures | grep -qx i386; then
      SUDO=""
      [ "$(id -u)" = 0 ] || SUDO=sudo
      $SUDO dpkg --add-architecture i386
    fi
    PKGS+=(wine32:i386)
  fi
fi

# The report's browser test (tests/report/browser.py): headless Chromium,
# and CJK fonts so Japanese reports render in its screenshots. About 400 MB;
# without them that test is skipped (exit 77).
if [ "${MDEDIAG_NO_BROWSER:-0}" != 1 ]; then
  PKGS+=(chromium fonts-noto-cjk)
fi

# libFuzzer (tests/fuzz/, docs/fuzzing.md): clang, for scripts/fuzz.sh and
# MDEDIAG_FUZZ=1 scripts/test.sh. The test suite replays the fuzz targets'
# inputs with gcc's sanitizers and needs neither.
if [ "${MDEDIAG_FUZZ:-0}" = 1 ]; then
  PKGS+=(clang libfuzzer-14-dev)
fi

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO=sudo
  echo "setup: installing ${missing[*]}" >&2
  # with recommends, as measured on this project's machines (Wine and Chromium
  # rely on some of them); a mirror hiccup gets two more tries
  for try in 1 2 3; do
    if $SUDO apt-get update -qq &&
       DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null; then
      break
    fi
    [ $try = 3 ] && { echo "setup: apt-get failed three times" >&2; exit 1; }
    sleep 10
  done
fi
echo "setup: Debian packages present" >&2
