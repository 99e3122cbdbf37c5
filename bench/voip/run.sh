#!/usr/bin/env bash
# The VoIP comparison (docs/benchmarks.md): Heartline's VoIP module against seed 002's own design (Socket.IO 4.8 with
# its GuestConnectionManager on Debian's redis-server), one after the other on this machine, servers pinned to one CPU
# and the driver to the other. 10,000 connected guests with the seed's ping and liveness settings: resident memory
# and CPU per guest, invite → ringing latency; and on Heartline the purge of 100,000 stale guest records.
#   bench/voip/run.sh                      # GUESTS=10000 INVITES=1000 IDLE=65 PURGE=100000
#   GUESTS=2000 IDLE=10 PURGE=0 bench/voip/run.sh     # a quick check
#   HL_ARGS="--Realtime:KeepAliveIntervalSeconds 25" HL_ENV="DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0" LABEL=tuned SEED=0 bench/voip/run.sh
set -euo pipefail
cd "$(dirname "$0")"
voip=$(pwd)
bench=$(cd .. && pwd)
root=$(cd ../.. && pwd)
GUESTS=${GUESTS:-10000}
INVITES=${INVITES:-1000}
IDLE=${IDLE:-65}
PURGE=${PURGE:-100000}
SERVER_CPU=${SERVER_CPU:-0}
DRIVER_CPU=${DRIVER_CPU:-1}
HL_PORT=${HL_PORT:-5381}
SEED_PORT=${SEED_PORT:-5382}
REDIS_PORT=${REDIS_PORT:-6391}
SEED=${SEED:-1}
LABEL=${LABEL:-heartline}
KEY="bench-only-signing-key-$(date +%s)-0123456789abcdef"
ulimit -n "$(ulimit -Hn)"

if ! command -v redis-server >/dev/null; then
  echo "== installing redis-server (the seed's design needs it)" >&2
  [ "$(id -u)" = 0 ] || { echo "install Debian's redis-server" >&2; exit 1; }
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >&2
fi
echo "== npm packages" >&2
(cd "$bench" && npm ci --no-audit --no-fund --loglevel=error >&2)
echo "== building Heartline (Release)" >&2
dotnet build "$root/src/Heartline.Server" -c Release --nologo -v quiet -clp:ErrorsOnly >&2

out="$bench/results/voip-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
BENCH_NAME=voip-bench source "$bench/lib.sh"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores"
  echo "dotnet: $(dotnet --version); node: $(node --version); socket.io: $(cd "$bench" && node -p "require('socket.io/package.json').version"); ioredis: $(cd "$bench" && node -p "require('ioredis/package.json').version"); redis: $(redis-server --version | awk '{print $3}')"
  echo "guests: $GUESTS, invites: $INVITES, idle window: ${IDLE}s, purge: $PURGE; servers on CPU $SERVER_CPU, driver on CPU $DRIVER_CPU"
} >"$out/machine.txt"
cat "$out/machine.txt" >&2

echo "== Heartline ($LABEL: ${HL_ARGS:-defaults} ${HL_ENV:-})" >&2
echo "heartline ($LABEL): ${HL_ARGS:-defaults} ${HL_ENV:-}" >>"$out/machine.txt"
env ${HL_ENV:-} taskset -c "$SERVER_CPU" dotnet "$root/src/Heartline.Server/bin/Release/net10.0/Heartline.Server.dll" \
  --environment Production --urls "http://127.0.0.1:$HL_PORT" --Auth:SigningKey "$KEY" \
  --Realtime:ConnectRatePerIp 1000000 --Voip:AdmissionsPerMinutePerIp 10000000 \
  --Storage:Provider sqlite --Storage:ConnectionString "Data Source=$work/heartline.db" \
  --Logging:LogLevel:Default Warning ${HL_ARGS:-} >"$work/heartline.log" 2>&1 &
pids+=($!); hl_pid=$!
wait_port "$HL_PORT"
taskset -c "$DRIVER_CPU" node "$voip/driver.js" --target heartline --port "$HL_PORT" --server-pid "$hl_pid" --guests "$GUESTS" \
  --invites "$INVITES" --idle "$IDLE" --purge "$PURGE" --signing-key "$KEY" --label "$LABEL" | tee -a "$out/runs.jsonl"
kill "$hl_pid"; wait "$hl_pid" 2>/dev/null || true
if [ "$SEED" != 1 ]; then echo "results: $out" >&2; exit 0; fi

echo "== seed design: Socket.IO + GuestConnectionManager + Redis" >&2
taskset -c "$SERVER_CPU" redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" >"$work/redis.log" 2>&1 &
pids+=($!); redis_pid=$!
wait_port "$REDIS_PORT"
(cd "$bench" && taskset -c "$SERVER_CPU" node "$voip/seed-server.js" "$SEED_PORT" "$REDIS_PORT" >"$work/seed.log" 2>&1) &
pids+=($!)
wait_port "$SEED_PORT"
seed_pid=$(pgrep -f "seed-server.js $SEED_PORT" | head -1)
taskset -c "$DRIVER_CPU" node "$voip/driver.js" --target seed --port "$SEED_PORT" --server-pid "$seed_pid" --guests "$GUESTS" \
  --invites "$INVITES" --idle "$IDLE" | tee -a "$out/runs.jsonl"
redis_rss=$(awk '/VmRSS/ {print $2}' "/proc/$redis_pid/status")
echo "{\"target\":\"seed-redis\",\"redis_rss_mb\":$((redis_rss / 1024))}" | tee -a "$out/runs.jsonl"
echo "results: $out" >&2
