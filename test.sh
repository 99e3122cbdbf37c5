#!/usr/bin/env bash
# Runs every test suite. Installs what the tests need and is missing (PostgreSQL, Node.js, Chromium, coturn, opus-tools, npm packages; Debian
# packages via apt-get when run as root), starts a throwaway PostgreSQL cluster, and stops it again at the end.
set -euo pipefail
cd "$(dirname "$0")"
root=$(pwd)

log() { printf '\n== %s\n' "$*" >&2; }

apt_updated=0
apt_install() {
  if [ "$(id -u)" != "0" ]; then
    echo "missing: $* — install these Debian packages (or run this script as root)" >&2
    exit 1
  fi
  if [ "$apt_updated" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

command -v dotnet >/dev/null || { echo "the .NET 10 SDK is required (https://dot.net)" >&2; exit 1; }

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null; then
  log "installing PostgreSQL"
  apt_install postgresql
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  log "installing Node.js"
  apt_install nodejs npm
fi

if ! command -v turnserver >/dev/null; then
  # The VoIP browser test makes a relay-only call through a real TURN server on loopback.
  log "installing coturn"
  apt_install coturn
fi

if ! command -v opusinfo >/dev/null; then
  # The recording test checks the stored Ogg Opus with opus-tools' opusinfo.
  log "installing opus-tools"
  apt_install opus-tools
fi

if ! command -v chromium >/dev/null; then
  # The browser tests drive Debian's Chromium (never a downloaded browser); the fonts render the Korean pages.
  log "installing Chromium"
  apt_install chromium fonts-noto-cjk
fi

log "npm packages (tests/js)"
npm ci --prefix tests/js --no-audit --no-fund --loglevel=error >&2
log "npm packages (tests/browser)"
npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error >&2

log "starting a throwaway PostgreSQL cluster"
pgdir=$(mktemp -d /tmp/heartline-pg.XXXXXX)
trap 'scripts/postgres.sh stop "$pgdir" >/dev/null 2>&1 || true; rm -rf "$pgdir"' EXIT
eval "$(scripts/postgres.sh start "$pgdir")"
export HEARTLINE_TEST_PG

log "building"
dotnet build Heartline.slnx -c Release --nologo -v quiet -clp:ErrorsOnly

log "running tests"
results="$root/artifacts/test-results"
rm -rf "$results"; mkdir -p "$results"
set +e
dotnet test Heartline.slnx -c Release --no-build --nologo --logger "trx;LogFileName=tests.trx" \
  --results-directory "$results" --blame-hang-timeout 5m 2>&1 | tee "$results/run.log"
status=${PIPESTATUS[0]}
set -e

# One plain summary line that any CI can read.
passed=$(grep -ohE 'Passed: +[0-9]+' "$results/run.log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -ohE 'Failed: +[0-9]+' "$results/run.log" | awk '{s+=$2} END {print s+0}')
echo "$passed passed, $failed failed"
if [ "$status" != 0 ] || [ "$failed" != 0 ] || [ "$passed" = 0 ]; then
  exit 1
fi
