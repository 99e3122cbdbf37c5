# Shared by the benchmark scripts (sourced): a work directory and the servers' pids, removed and stopped on exit, and
# a bounded wait for a server's port.
work=$(mktemp -d "/tmp/heartline-${BENCH_NAME:-bench}.XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Waits up to 20 s for something to listen on 127.0.0.1:$1.
wait_port() {
  for _ in $(seq 1 200); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "nothing listens on port $1" >&2
  exit 1
}
