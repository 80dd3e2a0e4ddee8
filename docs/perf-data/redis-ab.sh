#!/usr/bin/env bash
# Builds of the Redis store, interleaved (README "Figures"): per pass, redis-bench.sh once with each jar in
# turn, each run memory store vs Redis store (fresh redis-server, fresh trackers) with redis-bench.sh's split of
# Redis' CPU per announce (PERF=1: and a profile). Each pass holds the shared benchmark lock.
# Usage: docs/perf-data/redis-ab.sh passes rounds-per-run JAR...   (each jar with its libs/ beside it)
#   e.g. on the old tree: mkdir -p /tmp/redis-before && cp -r target/swarmgate.jar target/libs /tmp/redis-before/
#        docs/perf-data/redis-ab.sh 2 2 /tmp/redis-before/swarmgate.jar target/swarmgate.jar
# RATE=n offers n announces/s open-loop (redis-bench.sh rate), MODES the modes (default udp), WARMUP as there.
# Ports: BASE (default 25000) .. BASE+581. Prints uptime (load average) around every run; lines are prefixed
# with build=<the jar's directory name>.
set -euo pipefail
cd "$(dirname "$0")/../.."
passes=${1:?usage: redis-ab.sh passes rounds-per-run JAR...}
rounds=${2:?usage: redis-ab.sh passes rounds-per-run JAR...}
shift 2
lock=${LOCK:-/tmp/swarmgate-bench.lock}
export BASE=${BASE:-25000}
for p in $(seq "$passes"); do
  flock "$lock" bash -c '
    pass=$1; rounds=$2; shift 2
    for jar in "$@"; do
      build=$(basename "$(dirname "$(readlink -f "$jar")")")
      echo "== pass=$pass build=$build $(uptime)"
      JAR=$jar docs/perf-data/redis-bench.sh "$rounds" 64 "${MODES:-udp}" ${RATE:-} | sed "s/^/build=$build /"
    done' _ "$p" "$rounds" "$@"
done
echo "== end $(uptime)"
