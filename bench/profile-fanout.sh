#!/usr/bin/env bash
# Where a press's time and CPU go at the Heartline server: fan-out of session_started to M listeners, driven by the
# same driver as bench/run.sh, with the server pinned to CPU 0 and sampled by `perf` (managed frames named through
# DOTNET_PerfMapEnabled). Writes results/<UTC time>-profile/: the driver's figures (run.jsonl), perf's flat profile
# (perf-symbols.txt), CPU per component (components.txt), and the server's own press → queued-to-all time per press,
# read from the SESSION_STARTED events it stored (press-to-queued.txt).
#
#   bench/profile-fanout.sh                    # 500 listeners, 60 recorded rounds
#   LISTENERS=2000 ROUNDS=40 bench/profile-fanout.sh
#   HL_ARGS="--Some:Setting value" HL_ENV="DOTNET_TieredPGO=0" bench/profile-fanout.sh
set -euo pipefail
bench=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$bench/.." && pwd)
cd "$bench"
LISTENERS=${LISTENERS:-500}
ROUNDS=${ROUNDS:-60}
PORT=${PORT:-5291}
KEY="profile-only-signing-key-$(date +%s)-0123456789abcdef"
ulimit -n "$(ulimit -Hn)"

command -v perf >/dev/null || { apt-get update -qq && apt-get install -y -qq linux-perf >/dev/null; }
command -v sqlite3 >/dev/null || { apt-get update -qq && apt-get install -y -qq sqlite3 >/dev/null; }
npm ci --no-audit --no-fund --loglevel=error >&2
dotnet build "$root/src/Heartline.Server" -c Release --nologo -v quiet -clp:ErrorsOnly >&2

out="$bench/results/$(date -u +%Y%m%dT%H%M%SZ)-profile"
mkdir -p "$out"
BENCH_NAME=profile source "$bench/lib.sh"

# Jitted code is named through the perf map (W^X off, or perf sees it as an anonymous memfd); precompiled
# (ReadyToRun) framework code keeps its assembly as the dso, which is what components.txt groups by.
env ${HL_ENV:-} DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 taskset -c 0 dotnet "$root/src/Heartline.Server/bin/Release/net10.0/Heartline.Server.dll" \
  --environment Production --urls "http://127.0.0.1:$PORT" --Auth:SigningKey "$KEY" \
  --Realtime:ConnectRatePerIp 1000000 --Storage:Provider sqlite --Storage:ConnectionString "Data Source=$work/heartline.db" \
  --Logging:LogLevel:Default Warning ${HL_ARGS:-} >"$work/heartline.log" 2>&1 &
pids+=($!); hl_pid=$!
wait_port "$PORT"

drive() { # rounds warmup
  taskset -c 1 node driver.js --target heartline --port "$PORT" --server-pid "$hl_pid" --workload fanout \
    --listeners "$LISTENERS" --rounds "$1" --warmup "$2" --signing-key "$KEY"
}
echo "== warm-up (the JIT's tiers settle)" >&2
drive 60 0 >/dev/null
drive 60 0 >/dev/null
before=$(sqlite3 "$work/heartline.db" "SELECT coalesce(max(id), 0) FROM events WHERE type = 'SESSION_STARTED'")

echo "== $ROUNDS rounds to $LISTENERS listeners under perf" >&2
perf record -F 2999 -g -p "$hl_pid" -o "$work/perf.data" 2>/dev/null &
perf_pid=$!
sleep 1
drive "$ROUNDS" 5 >"$out/run.jsonl"
kill -INT "$perf_pid"; wait "$perf_pid" || true

perf report -i "$work/perf.data" --no-children --sort dso,sym --stdio -g none --percent-limit 0 >"$out/perf-flat.txt" 2>/dev/null || true
{ grep -v "^#" "$out/perf-flat.txt" | grep -v '^$' | head -80 || true; } >"$out/perf-symbols.txt"
python3 "$bench/profile-components.py" <"$out/perf-flat.txt" >"$out/components.txt"
# Who called into the scheduler: the callers' chains of the top kernel symbols.
perf report -i "$work/perf.data" --no-children --sort sym --stdio -G --percent-limit 3 2>/dev/null | grep -v '^$' | head -200 >"$out/perf-callers.txt" || true
sqlite3 "$work/heartline.db" "SELECT CAST(json_extract(metadata, '\$.press_to_grant_us') AS INTEGER) FROM events
  WHERE type = 'SESSION_STARTED' AND id > $before ORDER BY 1" | python3 -c '
import sys
v = [int(x) for x in sys.stdin if x.strip()]
q = lambda p: v[min(len(v) - 1, int(p * len(v)))]
print(f"press frame received -> decided, session_started queued to all {sys.argv[1]} listeners (us), {len(v)} presses:")
print(f"p50 {q(0.5)}  p90 {q(0.9)}  p99 {q(0.99)}  max {v[-1]}")' "$LISTENERS" >"$out/press-to-queued.txt"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "listeners: $LISTENERS  rounds: $ROUNDS  heartline settings: ${HL_ARGS:-defaults} ${HL_ENV:-}"
  echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$out/machine.txt"
cat "$out/press-to-queued.txt" "$out/components.txt" >&2
echo "results: $out" >&2
