#!/usr/bin/env bash
# A throwaway PostgreSQL for the benchmarks (docs/perf-data/accounting-ab.sh): initdb in DIR, a server on
# 127.0.0.1:PORT, a database "swarmgate" owned by user "swarmgate", trust auth; the same settings as the tests'
# PostgresServer (fsync off). As root it runs as the postgres user (PostgreSQL refuses root).
#   docs/perf-data/pg-bench-db.sh start 22432 /tmp/pg-bench      initdb if DIR is new, start, create the database
#   docs/perf-data/pg-bench-db.sh stop  22432 /tmp/pg-bench      stop the server by its PID (postmaster.pid)
# PG_CPU=1 starts the postmaster under `taskset -c 1`: every backend it forks inherits that affinity, so
# PostgreSQL stays off the tracker's core 0.
set -euo pipefail
cmd=${1:?start|stop}
port=${2:?PORT}
dir=${3:?DIR}
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_pg=()
if [[ $(id -u) == 0 ]]; then as_pg=(runuser -u postgres --); fi
pin=()
if [[ -n "${PG_CPU:-}" ]]; then pin=(taskset -c "$PG_CPU"); fi
case "$cmd" in
  start)
    mkdir -p "$dir"
    if [[ $(id -u) == 0 ]]; then chown postgres "$dir"; fi
    if [[ ! -f "$dir/data/PG_VERSION" ]]; then
      "${as_pg[@]}" "$bin/initdb" -D "$dir/data" -U swarmgate -A trust -E UTF8 --no-sync --no-instructions \
          >"$dir/initdb.out" 2>&1 || { cat "$dir/initdb.out"; exit 1; }
    fi
    "${pin[@]}" "${as_pg[@]}" "$bin/postgres" -D "$dir/data" -p "$port" -k "$dir" \
        -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=40 \
        >>"$dir/postgres.log" 2>&1 &
    # bounded: at most 60 s for the server to accept connections
    for _ in $(seq 1 600); do
      "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" && break
      sleep 0.1
    done
    "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" || { tail -20 "$dir/postgres.log"; exit 1; }
    if ! "$bin/psql" -h 127.0.0.1 -p "$port" -U swarmgate -d postgres -Atc \
        "SELECT 1 FROM pg_database WHERE datname = 'swarmgate'" | grep -q 1; then
      "$bin/createdb" -h 127.0.0.1 -p "$port" -U swarmgate swarmgate
    fi
    echo "postgres pid $(head -1 "$dir/data/postmaster.pid") on 127.0.0.1:$port${PG_CPU:+, cpu $PG_CPU}"
    ;;
  stop)
    pid=$(head -1 "$dir/data/postmaster.pid")
    kill -INT "$pid" # fast shutdown
    # bounded: at most 30 s
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    ;;
  *) echo "usage: $0 start|stop PORT DIR" >&2; exit 2 ;;
esac
