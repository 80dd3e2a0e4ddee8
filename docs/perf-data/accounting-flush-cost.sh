#!/usr/bin/env bash
# What one accounting flush costs, per thread, while the tracker serves a fixed rate (README "accounting").
# Starts the tracker with the hook on (docs/perf-data/sg-w1-accounting-on.yaml) pinned to core 0, offers RATE
# UDP announces/s from core 1 for DURATION seconds, and samples every thread's schedstat
# (docs/perf-data/sched-sample.py): per flush, the CPU of the flusher, the JIT, GC, HikariCP and PostgreSQL
# (and the CPUs PostgreSQL ran on), and the UDP worker's run-queue wait around it.
# Needs target/swarmgate.jar and a PostgreSQL on 127.0.0.1:$PG_PORT (docs/perf-data/pg-bench-db.sh start PORT DIR)
# whose data directory is PG_DIR (for the postmaster's pid).
#   PG_PORT=22432 PG_DIR=/tmp/pg-bench RATE=20000 DURATION=60 docs/perf-data/accounting-flush-cost.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
JAVA=${JAVA:-$(ls -d /usr/lib/jvm/temurin-2*/bin/java | tail -1)}
JAR=${JAR:-target/swarmgate.jar}
udp=${UDP_PORT:-21070}
http=${HTTP_PORT:-21071}
pg=${PG_PORT:-21432}
postmaster=$(head -1 "${PG_DIR:?PG_DIR: the DIR given to pg-bench-db.sh}/data/postmaster.pid")
duration=${DURATION:-60}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed -e "s/21070/$udp/; s/21071/$http/; s/21432/$pg/" docs/perf-data/sg-w1-accounting-on.yaml >"$tmp/on.yaml"
taskset -c 0 "$JAVA" ${JAVA_OPTS:-} -jar "$JAR" --config "$tmp/on.yaml" >"$tmp/sg.log" 2>&1 &
pid=$!
# bounded: at most 30 s for the tracker to start (a loaded machine)
for _ in $(seq 1 300); do grep -qs "swarmgate started" "$tmp/sg.log" && break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && grep -qs "swarmgate started" "$tmp/sg.log" || { cat "$tmp/sg.log"; exit 1; }
taskset -c 1 "$JAVA" -jar "$JAR" bench udp --target "127.0.0.1:$udp" --duration "$((duration - 2))s" --warmup 2s \
    --sockets 1 --window 64 --rate "${RATE:-20000}" --tracker-pid "$pid" >"$tmp/bench.out" 2>&1 &
bench=$!
JAVA="$JAVA" taskset -c 1 python3 docs/perf-data/sched-sample.py "$pid" "$postmaster" "$duration" "${INTERVAL:-0.02}"
wait "$bench" || true
grep "^BENCH" "$tmp/bench.out" || cat "$tmp/bench.out"
kill -TERM "$pid"; wait "$pid" || true
grep -E " (WARN|WARNING|ERROR) " "$tmp/sg.log" | head -5 || true # a failed flush would be retried: more windows
