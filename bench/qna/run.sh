#!/usr/bin/env bash
# The Q&A comparison (docs/benchmarks.md): Heartline's Q&A module against seed 003's own design (Socket.IO 4.8 with
# haversine over every located user), one after the other on this machine, servers pinned to one CPU and the driver to
# the other, at each user count in USERS: questions at RATE a second for DURATION seconds, create → tier-1 notification,
# typing fan-out in a room of ROOM, and the servers' nearest-10 lookup times.
#   bench/qna/run.sh                                # USERS="1000 10000" RATE=50 DURATION=20 ROOM=200
#   USERS=2000 DURATION=5 bench/qna/run.sh          # a quick check
#   TIERS=1 bench/qna/run.sh                        # tier 1 alone: later tiers put off past the run on both servers
#   SEED=0 USERS=10000 TIERS=1 bench/qna/run.sh     # Heartline only (HEARTLINE=0: the seed's design only)
#   HL_DLL=/tmp/r2r/Heartline.Server.dll …          # another build of the server (a ReadyToRun publish, say)
#   HL_ARGS="--Realtime:KeepAliveIntervalSeconds 25" …   # server settings for the run
set -euo pipefail
cd "$(dirname "$0")"
qna=$(pwd)
bench=$(cd .. && pwd)
root=$(cd ../.. && pwd)
USERS=${USERS:-"1000 10000"}
RATE=${RATE:-50}
DURATION=${DURATION:-20}
ROOM=${ROOM:-200}
TIERS=${TIERS:-all}
SEED=${SEED:-1}
HEARTLINE=${HEARTLINE:-1}
if [ "$TIERS" = 1 ]; then
  tier_args="--Qna:Tier2DelaySeconds 3600 --Qna:Tier3DelaySeconds 3600 --Qna:Tier4DelaySeconds 3600"; seed_tier2=0
else
  tier_args=""; seed_tier2=3000
fi
SERVER_CPU=${SERVER_CPU:-0}
DRIVER_CPU=${DRIVER_CPU:-1}
HL_PORT=${HL_PORT:-5391}
SEED_PORT=${SEED_PORT:-5392}
KEY="bench-only-signing-key-$(date +%s)-0123456789abcdef"
ulimit -n "$(ulimit -Hn)"

echo "== npm packages" >&2
(cd "$bench" && npm ci --no-audit --no-fund --loglevel=error >&2)
echo "== building Heartline (Release)" >&2
dotnet build "$root/src/Heartline.Server" -c Release --nologo -v quiet -clp:ErrorsOnly >&2

out="$bench/results/qna-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
BENCH_NAME=qna-bench source "$bench/lib.sh"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores"
  echo "dotnet: $(dotnet --version); node: $(node --version); socket.io: $(cd "$bench" && node -p "require('socket.io/package.json').version")"
  echo "users: $USERS, rate: $RATE/s for ${DURATION}s, room: $ROOM, tiers: $TIERS; servers on CPU $SERVER_CPU, driver on CPU $DRIVER_CPU"
} >"$out/machine.txt"
cat "$out/machine.txt" >&2

for users in $USERS; do
  if [ "$HEARTLINE" = 1 ]; then
  echo "== Heartline, $users users" >&2
  rm -f "$work/heartline.db"*
  # Limits are raised for the load: every simulated user shares one address, and the typist types 20 times a second.
  taskset -c "$SERVER_CPU" dotnet "${HL_DLL:-$root/src/Heartline.Server/bin/Release/net10.0/Heartline.Server.dll}" \
    --environment Production --urls "http://127.0.0.1:$HL_PORT" --Auth:SigningKey "$KEY" \
    --Realtime:ConnectRatePerIp 1000000 --Qna:CommandsPerMinutePerIp 10000000 --Qna:CommandsPerMinutePerUser 100000 \
    --Qna:RequestsPerMinutePerIp 1000000 --Storage:Provider sqlite --Storage:ConnectionString "Data Source=$work/heartline.db" \
    --Logging:LogLevel:Default Warning $tier_args ${HL_ARGS:-} >"$work/heartline.log" 2>&1 &
  pids+=($!); hl_pid=$!
  wait_port "$HL_PORT"
  taskset -c "$DRIVER_CPU" node "$qna/driver.js" --target heartline --port "$HL_PORT" --server-pid "$hl_pid" --users "$users" \
    --rate "$RATE" --seconds "$DURATION" --room "$ROOM" --signing-key "$KEY" | tee -a "$out/runs.jsonl"
  kill "$hl_pid"; wait "$hl_pid" 2>/dev/null || true
  fi
  [ "$SEED" = 1 ] || continue

  echo "== seed design (Socket.IO), $users users" >&2
  (cd "$bench" && taskset -c "$SERVER_CPU" node "$qna/seed-server.js" "$SEED_PORT" "$seed_tier2" >"$work/seed.log" 2>&1) &
  pids+=($!)
  wait_port "$SEED_PORT"
  seed_pid=$(pgrep -f "seed-server.js $SEED_PORT" | head -1)
  taskset -c "$DRIVER_CPU" node "$qna/driver.js" --target seed --port "$SEED_PORT" --server-pid "$seed_pid" --users "$users" \
    --rate "$RATE" --seconds "$DURATION" --room "$ROOM" | tee -a "$out/runs.jsonl"
  kill "$seed_pid"; wait 2>/dev/null || true
done
echo "results: $out" >&2
