#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the test run, so that one server serves every test.
#   scripts/postgres.sh start DIR   initdb + start on a free loopback port; prints the export line to eval
#   scripts/postgres.sh stop DIR    stop the cluster and delete DIR
# PostgreSQL refuses to run as root: under uid 0 the cluster runs as the 'postgres' user (made by the Debian
# package) through runuser, and DIR is chowned to it.
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[[ $# -eq 2 ]] || usage
action=$1
dir=$2

find_bin() {
  local candidate
  if candidate=$(command -v pg_ctl 2>/dev/null) && [[ -x "$(dirname "$candidate")/initdb" ]]; then
    dirname "$candidate"; return
  fi
  for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
    if [[ -x $candidate/initdb && -x $candidate/pg_ctl ]]; then echo "$candidate"; return; fi
  done
  echo "PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or under /usr/lib/postgresql/*/bin; run ./test.sh, which installs them." >&2
  exit 1
}

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# A port nothing listens on now; start retries with another if it is taken in between.
free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$(( 20000 + RANDOM % 40000 ))
    if ! ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; then echo "$port"; return; fi
  done
  echo "no free port found" >&2; exit 1
}

case $action in
  start)
    bin=$(find_bin)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    [[ -z $(ls -A "$dir") ]] || { echo "$dir is not empty" >&2; exit 1; }
    touch "$dir/.heartline-pg"
    [[ $(id -u) -ne 0 ]] || chown postgres:postgres "$dir"
    cd "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    for attempt in 1 2 3; do
      port=$(free_port)
      if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
          -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" start >"$dir/pg_ctl.log" 2>&1; then
        echo "export HEARTLINE_TEST_PG='Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres'"
        exit 0
      fi
    done
    cat "$dir/pg_ctl.log" "$dir/server.log" >&2 || true
    exit 1
    ;;
  stop)
    [[ -f $dir/.heartline-pg ]] || { echo "$dir was not made by '$0 start'" >&2; exit 1; }
    bin=$(find_bin)
    if [[ -f $dir/data/postmaster.pid ]]; then
      (cd "$dir" && as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null)
    fi
    rm -rf "$dir"
    ;;
  *) usage ;;
esac
