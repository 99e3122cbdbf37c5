#!/usr/bin/env bash
# The `heartline loadtest` figures of docs/benchmarks.md: builds Release, then per repetition starts a fresh server
# pinned to CPU 0 (the load tool on CPU 1), warms it up (not recorded) and runs fan-out to 100, 500 and 2,000
# listeners, press → grant in a small office, a press storm, relay to 500 listeners and relay to 4 × 500 listeners;
# then idle connections at 1,000, 5,000, 10,000 and 19,000 (one fresh server each). Every run is bounded (timeout) and
# targets 127.0.0.1 only. Writes results/<UTC time>-loadtest/runs.jsonl (one `loadtest --json` result per line, with
# "name" and "load" added) and summary.json (medians per name).
#
#   bench/loadtest.sh            # 3 repetitions
#   REPS=1 IDLE="2 10" bench/loadtest.sh
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd .. && pwd)
REPS=${REPS:-3}
IDLE=${IDLE:-"2 10 20 38"}   # offices × 500 connections; 38 × 500 = 19,000 (the fd hard limit here is 20,000)
PORT=${PORT:-5291}
SERVER_CPU=${SERVER_CPU:-0}
DRIVER_CPU=${DRIVER_CPU:-1}
KEY="loadtest-only-signing-key-$(date +%s)-0123456789abcdef"

ulimit -n "$(ulimit -Hn)"
dotnet build "$root/src/Heartline.Server" -c Release --nologo -v quiet -clp:ErrorsOnly >&2
dotnet build "$root/src/Heartline.Cli" -c Release --nologo -v quiet -clp:ErrorsOnly >&2
out="$(pwd)/results/$(date -u +%Y%m%dT%H%M%SZ)-loadtest"
work=$(mktemp -d /tmp/heartline-loadtest.XXXXXX)
mkdir -p "$out"
spid=""
cleanup() {
  [ -n "$spid" ] && kill "$spid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

start() {
  rm -rf "$work/db"; mkdir -p "$work/db"
  taskset -c "$SERVER_CPU" dotnet "$root/src/Heartline.Server/bin/Release/net10.0/Heartline.Server.dll" \
    --environment Production --urls "http://127.0.0.1:$PORT" --Auth:SigningKey "$KEY" --Realtime:ConnectRatePerIp 1000000 \
    --Storage:Provider sqlite --Storage:ConnectionString "Data Source=$work/db/heartline.db" \
    --Logging:LogLevel:Default Warning >"$work/server.log" 2>&1 </dev/null &
  spid=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && return 0; sleep 0.1; done
  echo "the server did not start" >&2; exit 1
}
stop() { kill "$spid"; wait "$spid" 2>/dev/null || true; spid=""; }
loadtest() {
  timeout 600 taskset -c "$DRIVER_CPU" dotnet "$root/src/Heartline.Cli/bin/Release/net10.0/heartline.dll" loadtest "$@" \
    --server "http://127.0.0.1:$PORT" --signing-key "$KEY" --server-pid "$spid" --no-progress --json
}
record() { # name, then loadtest arguments
  local name=$1; shift
  echo "== $name" >&2
  loadtest "$@" | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const r=JSON.parse(s);
    r.name='$name';r.load=require('fs').readFileSync('/proc/loadavg','utf8').split(' ')[0];console.log(JSON.stringify(r))})" \
    >>"$out/runs.jsonl" || echo "{\"name\":\"$name\",\"failed\":true}" >>"$out/runs.jsonl"
}

for rep in $(seq 1 "$REPS"); do
  start
  # Warm-up: tiered JIT settles after a few thousand calls of each path.
  loadtest fanout --listeners 500 --rounds 150 --interval-ms 20 >/dev/null || true
  loadtest relay --listeners 500 --duration 8 >/dev/null || true
  record fanout-100 fanout --listeners 100 --rounds 40 --interval-ms 100
  record fanout-500 fanout --listeners 500 --rounds 40 --interval-ms 100
  record fanout-2000 fanout --listeners 2000 --rounds 20 --interval-ms 200
  record grant-10 fanout --listeners 10 --rounds 200 --interval-ms 20
  record storm-500 storm --listeners 500 --rounds 20 --interval-ms 100
  record relay-500 relay --listeners 500 --duration 10
  record relay-4x500 relay --offices 4 --listeners 500 --duration 10
  stop
done
for n in $IDLE; do
  start
  sleep 2
  record "idle-$((n * 500))" idle --offices "$n" --listeners 500 --duration 20 --heartbeat 25
  stop
done

node summarize-loadtest.js "$out"
