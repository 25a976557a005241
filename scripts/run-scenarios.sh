#!/usr/bin/env bash
# run-scenarios.sh - the README's main command: sets up (Debian packages),
# builds, and runs the whole scenario suite: every branch of the
# troubleshooting article against a mock cloud and the real mdediag, one
# line per scenario, then the coverage table of the check IDs
# (`mdediag --list-checks`, docs/checks.md).
# Extra arguments go to the harness (e.g. --filter net-, -j 4, --junit F).
# Exit status: the harness's (0 all passed and every check ID covered).
set -euo pipefail
cd "$(dirname "$0")/.."

# the scenario suite needs neither Wine nor Chromium: skip their ~3 GB here
# (scripts/test.sh installs them)
MDEDIAG_NO_WINDOWS=${MDEDIAG_NO_WINDOWS:-1} MDEDIAG_NO_BROWSER=${MDEDIAG_NO_BROWSER:-1} \
  bash scripts/setup.sh
if [ ! -f build/build.ninja ]; then
  meson setup build >/tmp/mdediag-setup-$$.log 2>&1 || { cat /tmp/mdediag-setup-$$.log; exit 1; }
  rm -f /tmp/mdediag-setup-$$.log
fi
ninja -C build >/dev/null || ninja -C build
exec build/harness/harness "$@"
