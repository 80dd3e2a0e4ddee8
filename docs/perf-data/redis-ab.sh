#!/usr/bin/env bash
# Two builds of the Redis store, interleaved (README "Figures"): per pair, redis-bench.sh once with the old jar,
# then once with the new one, each run memory store vs Redis store (fresh redis-server, fresh trackers), with
# redis-bench.sh's split of Redis' CPU per announce (PERF=1: and a profile). Each pair holds the benchmark lock.
# Usage: docs/perf-data/redis-ab.sh OLD_JAR [pairs] [rounds-per-run]   (new = $NEW or target/swarmgate.jar)
#   e.g. mkdir -p /tmp/redis-before && cp -r target/swarmgate.jar target/libs /tmp/redis-before/  (on the old tree)
#        docs/perf-data/redis-ab.sh /tmp/redis-before/swarmgate.jar 3 2
# Ports: BASE (default 25000) .. BASE+581. Prints uptime (load average) around every run.
set -euo pipefail
cd "$(dirname "$0")/../.."
old=${1:?usage: redis-ab.sh OLD_JAR [pairs] [rounds-per-run]}
pairs=${2:-3}
rounds=${3:-2}
new=${NEW:-target/swarmgate.jar}
lock=${LOCK:-/tmp/swarmgate-bench.lock}
export BASE=${BASE:-25000}
for p in $(seq "$pairs"); do
  flock "$lock" bash -c '
    for build in old new; do
      jar=$1; [ $build = new ] && jar=$2
      echo "== pair=$3 build=$build $(uptime)"
      JAR=$jar docs/perf-data/redis-bench.sh "$4" 64 udp | sed "s/^/build=$build /"
    done' _ "$old" "$new" "$p" "$rounds"
done
echo "== end $(uptime)"
