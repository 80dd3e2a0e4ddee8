#!/usr/bin/env bash
# Interleaved UDP runs without and with the accounting posthook (README "accounting").
# Needs: target/swarmgate.jar (./mvnw -B -q -DskipTests -DskipDist package) and, for the "on" runs, a
# PostgreSQL on 127.0.0.1:$PG_PORT with a database swarmgate owned by a user swarmgate (trust auth), off the
# tracker's core. PG_DIR=dir starts one there for the run (docs/perf-data/pg-bench-db.sh, pinned to core
# PG_CPU, default 1: its backends inherit that) and stops it at the end.
# Tracker pinned to core 0, load generator to core 1.
#   ROUNDS=3 docs/perf-data/accounting-ab.sh             saturated: answers/s and p99, closed loop
#   RATE=40000 ROUNDS=3 docs/perf-data/accounting-ab.sh  p99 at a fixed offered rate (open loop, below saturation)
# WARMUP=15s leaves the hook's first flush (Flyway's schema check, the pool's connections) out of the window.
# JAR=... runs another build (e.g. a copy of the previous one, for before/after); UDP_PORT, HTTP_PORT and
# PG_PORT default to the ports of docs/perf-data/sg-w1-accounting-*.yaml; JFR=dir records each tracker.
set -euo pipefail
cd "$(dirname "$0")/../.."
JAVA=${JAVA:-$(ls -d /usr/lib/jvm/temurin-2*/bin/java | tail -1)}
JAR=${JAR:-target/swarmgate.jar}
rounds=${ROUNDS:-3}
udp=${UDP_PORT:-21070}
http=${HTTP_PORT:-21071}
pg=${PG_PORT:-21432}
rate=()
if [[ -n "${RATE:-}" ]]; then rate=(--rate "$RATE"); fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [[ -n "${PG_DIR:-}" ]]; then
  PG_CPU=${PG_CPU:-1} docs/perf-data/pg-bench-db.sh start "$pg" "$PG_DIR"
  trap 'docs/perf-data/pg-bench-db.sh stop "$pg" "$PG_DIR"; rm -rf "$tmp"' EXIT
fi
for v in off on; do
  sed -e "s/21070/$udp/; s/21071/$http/; s/21432/$pg/" "docs/perf-data/sg-w1-accounting-$v.yaml" >"$tmp/$v.yaml"
done
for r in $(seq 1 "$rounds"); do
  for v in off on; do
    jfr=()
    if [[ -n "${JFR:-}" ]]; then mkdir -p "$JFR"; jfr=("-XX:StartFlightRecording=filename=$JFR/acc-$v-$r.jfr,settings=profile"); fi
    taskset -c 0 "$JAVA" "${jfr[@]}" -jar "$JAR" --config "$tmp/$v.yaml" >"$tmp/sg-$v.log" 2>&1 &
    pid=$!
    # bounded: at most 30 s for the tracker to start (a loaded machine)
    for _ in $(seq 1 300); do grep -qs "swarmgate started" "$tmp/sg-$v.log" && break; sleep 0.1; done
    line=$(taskset -c 1 "$JAVA" -jar "$JAR" bench udp \
        --target "127.0.0.1:$udp" --duration 10s --warmup "${WARMUP:-3s}" --sockets 1 --window 64 "${rate[@]}" \
        --tracker-pid "$pid" 2>&1 | grep "^BENCH" || true)
    echo "round $r accounting=$v: $line"
    kill -TERM "$pid"; wait "$pid" || true
  done
done
