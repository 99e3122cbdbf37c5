#!/usr/bin/env bash
# Cluster benchmarks (docs/benchmarks.md, "Cluster"): builds the server and the tool, starts a throwaway PostgreSQL
# (or uses HEARTLINE_BENCH_PG), runs three nodes on loopback ports and prints the figures. Takes about two minutes.
# Arguments pass through, e.g. --only notify,press
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build src/Heartline.Server -c Release --nologo -v quiet -clp:ErrorsOnly
dotnet build bench/cluster -c Release --nologo -v quiet -clp:ErrorsOnly
pg=${HEARTLINE_BENCH_PG:-}
if [ -z "$pg" ]; then
  pgdir=$(mktemp -d /tmp/heartline-bench-pg.XXXXXX)
  trap 'scripts/postgres.sh stop "$pgdir" >/dev/null 2>&1 || true; rm -rf "$pgdir"' EXIT
  eval "$(scripts/postgres.sh start "$pgdir")"
  pg=$HEARTLINE_TEST_PG
fi
timeout 600 dotnet bench/cluster/bin/Release/net10.0/ClusterBench.dll --pg "$pg" \
  --server src/Heartline.Server/bin/Release/net10.0/Heartline.Server.dll "$@"
