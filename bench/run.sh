#!/usr/bin/env bash
# The peer comparison (docs/benchmarks.md): Heartline, a Socket.IO 4.8 server and a bare `ws` server, all driven by
# bench/driver.js in one run on this machine. Installs its npm packages, builds Heartline (Release), starts the three
# servers on loopback ports pinned to one CPU and the driver to another, runs every workload REPS times (targets
# interleaved so that background noise falls on all three alike), stops everything and writes
# results/<time>/runs.jsonl, results.json and results.md (medians and ratios).
#
#   bench/run.sh                 # full run (fan-out to 100, 500, 2000 listeners; relay to 500; 5 repetitions)
#   REPS=3 FANOUT="500" bench/run.sh
#   QUICK=1 bench/run.sh         # a one-minute check that everything works
#   HL_ARGS="--Realtime:InlineIoScheduling true" bench/run.sh   # extra settings for the Heartline server
#   HL_ENV="DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0" bench/run.sh   # environment of the Heartline server
#   HL_DLL=/tmp/hl-r2r/Heartline.Server.dll bench/run.sh   # another build of the server, e.g. a ReadyToRun publish
set -euo pipefail
cd "$(dirname "$0")"
bench=$(pwd)
root=$(cd .. && pwd)

REPS=${REPS:-5}
FANOUT=${FANOUT:-"100 500 2000"}
RELAY=${RELAY:-"500"}
ROUNDS=${ROUNDS:-30}
DURATION=${DURATION:-10}
SERVER_CPU=${SERVER_CPU:-0}
DRIVER_CPU=${DRIVER_CPU:-1}
HL_PORT=${HL_PORT:-5281}
SIO_PORT=${SIO_PORT:-5282}
WS_PORT=${WS_PORT:-5283}
if [ "${QUICK:-0}" = 1 ]; then REPS=1; FANOUT="100"; RELAY="100"; ROUNDS=5; DURATION=2; fi
# A key only this run uses (Production refuses the development key).
KEY="bench-only-signing-key-$(date +%s)-0123456789abcdef"

# Thousands of sockets per process: take the hard limit (this workplace caps it at 20,000).
ulimit -n "$(ulimit -Hn)"

echo "== npm packages" >&2
npm ci --no-audit --no-fund --loglevel=error >&2
echo "== building Heartline (Release)" >&2
dotnet build "$root/src/Heartline.Server" -c Release --nologo -v quiet -clp:ErrorsOnly >&2

out="$bench/results/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
BENCH_NAME=bench source "$bench/lib.sh"

echo "== starting servers on CPU $SERVER_CPU (driver on CPU $DRIVER_CPU)" >&2
env ${HL_ENV:-} taskset -c "$SERVER_CPU" dotnet "${HL_DLL:-$root/src/Heartline.Server/bin/Release/net10.0/Heartline.Server.dll}" \
  --environment Production --urls "http://127.0.0.1:$HL_PORT" --Auth:SigningKey "$KEY" \
  --Realtime:ConnectRatePerIp 1000000 --Storage:Provider sqlite --Storage:ConnectionString "Data Source=$work/heartline.db" \
  --Logging:LogLevel:Default Warning ${HL_ARGS:-} >"$work/heartline.log" 2>&1 &
pids+=($!); hl_pid=$!
taskset -c "$SERVER_CPU" node servers/socketio-server.js "$SIO_PORT" >"$work/socketio.log" 2>&1 &
pids+=($!); sio_pid=$!
taskset -c "$SERVER_CPU" node servers/ws-server.js "$WS_PORT" >"$work/ws.log" 2>&1 &
pids+=($!); ws_pid=$!
wait_port "$HL_PORT"; wait_port "$SIO_PORT"; wait_port "$WS_PORT"

drive() { # target port pid workload listeners
  local extra=()
  [ "$4" = relay ] && extra=(--duration "$DURATION")
  taskset -c "$DRIVER_CPU" node driver.js --target "$1" --port "$2" --server-pid "$3" --workload "$4" --listeners "$5" \
    --rounds "$ROUNDS" --signing-key "$KEY" "${extra[@]}" >>"$out/runs.jsonl" \
    || echo "{\"target\":\"$1\",\"workload\":\"$4\",\"listeners\":$5,\"failed\":true}" >>"$out/runs.jsonl"
  sleep 1
}

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "nproc: $(nproc)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "memory: $(free -g | awk '/Mem:/ {print $2}') GiB"
  echo "os: $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)"
  echo "dotnet: $(dotnet --version)"
  echo "node: $(node --version)"
  echo "socket.io: $(node -p "require('socket.io/package.json').version")"
  echo "ws: $(node -p "require('ws/package.json').version")"
  echo "pinning: servers on CPU $SERVER_CPU, driver on CPU $DRIVER_CPU"
  echo "heartline settings: ${HL_ARGS:-defaults} ${HL_ENV:-} ${HL_DLL:-}"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$out/machine.txt"
cat "$out/machine.txt" >&2

# Warm-up, not recorded: .NET's tiered JIT and V8 both need a few thousand calls before their code is final.
echo "== warm-up" >&2
for target in "heartline $HL_PORT $hl_pid" "socketio $SIO_PORT $sio_pid" "ws $WS_PORT $ws_pid"; do
  set -- $target
  taskset -c "$DRIVER_CPU" node driver.js --target "$1" --port "$2" --workload fanout --listeners 200 --rounds 30 --warmup 0 \
    --signing-key "$KEY" >/dev/null || true
  taskset -c "$DRIVER_CPU" node driver.js --target "$1" --port "$2" --workload relay --listeners 200 --duration 3 \
    --signing-key "$KEY" >/dev/null || true
done

for rep in $(seq 1 "$REPS"); do
  for m in $FANOUT; do
    echo "== rep $rep/$REPS: fanout to $m listeners" >&2
    drive heartline "$HL_PORT" "$hl_pid" fanout "$m"
    drive socketio "$SIO_PORT" "$sio_pid" fanout "$m"
    drive ws "$WS_PORT" "$ws_pid" fanout "$m"
  done
  for m in $RELAY; do
    echo "== rep $rep/$REPS: relay to $m listeners" >&2
    drive heartline "$HL_PORT" "$hl_pid" relay "$m"
    drive socketio "$SIO_PORT" "$sio_pid" relay "$m"
    drive ws "$WS_PORT" "$ws_pid" relay "$m"
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/machine.txt"

node report.js "$out"
echo "results: $out/results.md" >&2
