#!/usr/bin/env bash
# Makes the upgrade fixtures: the database that a Heartline server of an earlier commit leaves after scenario.mjs and
# a SIGKILL, on SQLite (heartline-<commit>.db) and on PostgreSQL in cluster mode (postgres-<commit>.sql, a plain dump
# of one schema with the schema name removed, so a test can load it into any schema). Run it from a checkout of that
# commit, built in Release, with the npm packages of tests/js installed:
#   git worktree add /tmp/old <commit> && (cd /tmp/old && dotnet build Heartline.slnx -c Release && npm ci --prefix tests/js)
#   tests/Heartline.Tests/Fixtures/make-fixtures.sh /tmp/old
# The files it writes are committed; the upgrade tests (Storage/UpgradeTests) start today's server on copies of them.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
old=$(cd "$1" && pwd)
commit=$(git -C "$old" rev-parse --short=7 HEAD)
dll="$old/src/Heartline.Server/bin/Release/net10.0/Heartline.Server.dll"
work=$(mktemp -d /tmp/heartline-fixture.XXXXXX)
pgdir=$(mktemp -d /tmp/heartline-fixture-pg.XXXXXX) # its own folder: PostgreSQL runs as another user
trap 'kill -9 $(jobs -p) 2>/dev/null || true; "$old/scripts/postgres.sh" stop "$pgdir" >/dev/null 2>&1 || true; rm -rf "$work" "$pgdir"' EXIT

# ES modules resolve packages next to the script, not through NODE_PATH.
ln -s "$old/tests/js/node_modules" "$work/node_modules"
cp "$here/scenario.mjs" "$work/"

run_scenario() { # log, then the server's arguments
  local log=$1; shift
  local port=$(( 30000 + RANDOM % 20000 ))
  dotnet "$dll" --environment Testing --urls "http://127.0.0.1:$port" --Presence:NodeId fixture-node "$@" >"$log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.2; done
  node "$work/scenario.mjs" "http://127.0.0.1:$port"
  kill -9 "$pid"
  wait "$pid" 2>/dev/null || true
}

# SQLite: the WAL is folded into the database file, as a later start would do.
run_scenario "$work/sqlite.log" --Storage:Provider sqlite --Storage:ConnectionString "Data Source=$work/heartline.db"
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('PRAGMA wal_checkpoint(TRUNCATE)'); c.execute('PRAGMA journal_mode=DELETE'); c.close()" "$work/heartline.db"
cp "$work/heartline.db" "$here/heartline-$commit.db"

# PostgreSQL, one cluster node, in schema hlfixture.
eval "$("$old/scripts/postgres.sh" start "$pgdir")"
psql "$(echo "$HEARTLINE_TEST_PG" | sed 's/;/ /g; s/Host=/host=/; s/Port=/port=/; s/Username=/user=/; s/Database=/dbname=/')" -qc "CREATE SCHEMA hlfixture"
run_scenario "$work/pg.log" --Storage:Provider postgres --Storage:ConnectionString "$HEARTLINE_TEST_PG;Search Path=hlfixture" \
  --Cluster:Enabled true
pg_dump "$(echo "$HEARTLINE_TEST_PG" | sed 's/;/ /g; s/Host=/host=/; s/Port=/port=/; s/Username=/user=/; s/Database=/dbname=/')" \
  --schema=hlfixture --inserts --no-owner --no-privileges \
  | grep -v -E "^(SET |SELECT pg_catalog.set_config|CREATE SCHEMA|--|\\\\|$)" | sed 's/hlfixture\.//g' >"$here/postgres-$commit.sql"
echo "wrote $here/heartline-$commit.db and $here/postgres-$commit.sql" >&2
