#!/usr/bin/env bash
# Before/after of a server change on this machine: two checkouts' Release servers, interleaved, fresh server per
# scenario group, the same load tool (this checkout's CLI). Fan-out to 500, relay to 500, 5,000 idle connections.
#
#   git worktree add /tmp/before <commit> && (cd /tmp/before && dotnet build src/Heartline.Server -c Release)
#   bench/loadtest-ab.sh /tmp/before . [reps]       # appends to results/<UTC time>-ab/runs.jsonl ("tag": before|after)
#   IDLE="5000 10000" ONLY=idle bench/loadtest-ab.sh /tmp/before . 3   # idle connections only, at those counts
set -uo pipefail
cd "$(dirname "$0")"
root=$(cd .. && pwd)
before=$(cd "$1" && pwd); after=$(cd "$2" && pwd); REPS=${3:-2}
PORT=${PORT:-5293}; ONLY=${ONLY:-all}; IDLE=${IDLE:-5000}
KEY="loadtest-only-signing-key-$(date +%s)-0123456789abcdef"
dotnet build "$root/src/Heartline.Server" -c Release --nologo -v quiet -clp:ErrorsOnly >&2
dotnet build "$root/src/Heartline.Cli" -c Release --nologo -v quiet -clp:ErrorsOnly >&2
CLI="$root/src/Heartline.Cli/bin/Release/net10.0/heartline.dll"
out="$(pwd)/results/$(date -u +%Y%m%dT%H%M%SZ)-ab"; mkdir -p "$out"
ulimit -n "$(ulimit -Hn)"
work=$(mktemp -d /tmp/heartline-ab.XXXXXX); spid=""
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; rm -rf "$work"' EXIT
start() {
  rm -rf "$work/db"; mkdir -p "$work/db"
  taskset -c 0 dotnet "$1/src/Heartline.Server/bin/Release/net10.0/Heartline.Server.dll" \
    --environment Production --urls "http://127.0.0.1:$PORT" --Auth:SigningKey "$KEY" --Realtime:ConnectRatePerIp 1000000 \
    --Storage:Provider sqlite --Storage:ConnectionString "Data Source=$work/db/heartline.db" \
    --Logging:LogLevel:Default Warning >"$work/server.log" 2>&1 </dev/null &
  spid=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && return 0; sleep 0.1; done
  echo "the server did not start" >&2; exit 1
}
stop() { kill "$spid"; wait "$spid" 2>/dev/null; spid=""; }
lt() { timeout 600 taskset -c 1 dotnet "$CLI" loadtest "$@" --server "http://127.0.0.1:$PORT" --signing-key "$KEY" \
  --server-pid "$spid" --no-progress --json; }
rec() { local tag=$1 name=$2; shift 2; lt "$@" | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{
  const r=JSON.parse(s);r.name='$name';r.tag='$tag';r.load=require('fs').readFileSync('/proc/loadavg','utf8').split(' ')[0];
  console.log(JSON.stringify(r))})" >>"$out/runs.jsonl"; }
for rep in $(seq 1 "$REPS"); do
  for pair in "before:$before" "after:$after"; do
    tag=${pair%%:*}; dir=${pair#*:}
    echo "== $rep $tag" >&2
    if [ "$ONLY" != idle ]; then
      start "$dir"
      lt fanout --listeners 500 --rounds 150 --interval-ms 20 >/dev/null
      lt relay --listeners 500 --duration 8 >/dev/null
      rec "$tag" fanout-500 fanout --listeners 500 --rounds 40 --interval-ms 100
      rec "$tag" relay-500 relay --listeners 500 --duration 10
      stop
    fi
    for n in $IDLE; do
      start "$dir"; sleep 2
      rec "$tag" "idle-$n" idle --offices $((n / 500)) --listeners 500 --duration 20 --heartbeat 25
      stop
    done
  done
done
echo "$out/runs.jsonl"
