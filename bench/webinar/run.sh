#!/usr/bin/env bash
# Webinar benchmarks on SQLite and on a throwaway PostgreSQL cluster. Bounded: each ping run lasts --seconds (default
# 10) after a warm-up of $WARMUP seconds (default 10: the tiered JIT settles); each stats run makes --runs requests. Usage: bench/webinar/run.sh [pings|stats|gc|all]
#   pings  — the real host in its own process (as deployed), the load generator in another, on the same cores
#   stats  — GET /api/webinars/{id}/stats over 100,000 generated sessions (server in the benchmark's process)
#   gc     — the in-process ping and stats runs again with workstation GC
set -euo pipefail
cd "$(dirname "$0")/../.."
what=${1:-all}
dotnet build src/Heartline.Server -c Release --nologo -v quiet -clp:ErrorsOnly
dotnet build bench/webinar -c Release --nologo -v quiet -clp:ErrorsOnly
bench() { dotnet bench/webinar/bin/Release/net10.0/Heartline.Bench.Webinar.dll "$@"; }

work=$(mktemp -d /tmp/heartline-bench-webinar.XXXXXX)
server_pid=""
stop_server() {
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  server_pid=""
}
pgdir=$(mktemp -d /tmp/heartline-bench-pg.XXXXXX)
trap 'stop_server; scripts/postgres.sh stop "$pgdir" >/dev/null 2>&1 || true; rm -rf "$work" "$pgdir"' EXIT
eval "$(scripts/postgres.sh start "$pgdir")"

# The server as `dotnet run` would start it (its own runtime settings, server GC), on a free loopback port.
start_server() { # provider connection-string
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  dotnet src/Heartline.Server/bin/Release/net10.0/Heartline.Server.dll --environment Testing \
    --urls "http://127.0.0.1:$port" --Storage:Provider "$1" --Storage:ConnectionString "$2" \
    --Webinar:RequestRatePerIp 10000000 \
    --Logging:LogLevel:Default Warning >"$work/server.log" 2>&1 &
  server_pid=$!
  url="http://127.0.0.1:$port"
  for _ in $(seq 150); do
    if curl -sf "$url/ready" >/dev/null; then return 0; fi
    sleep 0.2
  done
  echo "server did not become ready; its log:" >&2; cat "$work/server.log" >&2; return 1
}

ping_external() { # provider connection-string
  start_server "$1" "$2"
  bench pings --url "$url" --server-pid "$server_pid" --seconds 10 --viewers 1000 --concurrency 32 --warmup "${WARMUP:-10}"
  stop_server
}

if [[ $what == pings || $what == all ]]; then
  ping_external sqlite "Data Source=$work/pings.db"
  ping_external postgres "$HEARTLINE_TEST_PG"
fi
if [[ $what == gc ]]; then
  # In one process (server and load generator share a runtime), with workstation GC; the host defaults to server GC.
  DOTNET_gcServer=0 bench pings --provider sqlite --seconds 10 --viewers 1000 --concurrency 32
  DOTNET_gcServer=0 bench stats --provider sqlite --sessions 100000 --runs 20
fi
if [[ $what == stats || $what == all ]]; then
  bench stats --provider sqlite --sessions 100000 --runs 20
  bench stats --provider postgres --pg "$HEARTLINE_TEST_PG" --sessions 100000 --runs 20
fi
