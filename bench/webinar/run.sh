#!/usr/bin/env bash
# Webinar benchmarks on SQLite and on a throwaway PostgreSQL cluster. Bounded: each ping run lasts --seconds (default
# 10) after a 2-second warm-up; each stats run makes --runs requests. Usage: bench/webinar/run.sh [pings|stats|gc|all]
set -euo pipefail
cd "$(dirname "$0")/../.."
what=${1:-all}
dotnet build bench/webinar -c Release --nologo -v quiet -clp:ErrorsOnly
bench() { dotnet bench/webinar/bin/Release/net10.0/Heartline.Bench.Webinar.dll "$@"; }

pgdir=$(mktemp -d /tmp/heartline-bench-pg.XXXXXX)
trap 'scripts/postgres.sh stop "$pgdir" >/dev/null 2>&1 || true; rm -rf "$pgdir"' EXIT
eval "$(scripts/postgres.sh start "$pgdir")"

if [[ $what == pings || $what == all ]]; then
  bench pings --provider sqlite --seconds 10 --viewers 1000 --concurrency 32
  bench pings --provider postgres --pg "$HEARTLINE_TEST_PG" --seconds 10 --viewers 1000 --concurrency 32
fi
if [[ $what == gc ]]; then
  # The same SQLite runs with workstation GC (the host defaults to server GC).
  DOTNET_gcServer=0 bench pings --provider sqlite --seconds 10 --viewers 1000 --concurrency 32
  DOTNET_gcServer=0 bench stats --provider sqlite --sessions 100000 --runs 20
fi
if [[ $what == stats || $what == all ]]; then
  bench stats --provider sqlite --sessions 100000 --runs 20
  bench stats --provider postgres --pg "$HEARTLINE_TEST_PG" --sessions 100000 --runs 20
fi
