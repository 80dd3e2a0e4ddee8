#!/usr/bin/env bash
# Memory store vs Redis store over UDP, one tracker each, interleaved runs (README "Redis store", figures).
# Tracker(s) and redis-server on core 0, the load generator on core 1. Loopback only; stops what it starts.
# Usage: docs/perf-data/redis-bench.sh [rounds] [window]   (after ./mvnw -B -q -DskipTests package)
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-3}
window=${2:-64}
out=$(mktemp -d)
redis-server --port 23500 --bind 127.0.0.1 --save '' --appendonly no --daemonize no >"$out/redis.log" 2>&1 &
redis=$!
cat >"$out/memory.yaml" <<'Y'
http: {host: 127.0.0.1, port: 7071}
udp: {host: 127.0.0.1, port: 7070, workers: 1, connection-id-secret: "perf-test-secret-0123456789"}
metrics: {enabled: false}
Y
cat >"$out/redis.yaml" <<'Y'
http: {host: 127.0.0.1, port: 7081}
udp: {host: 127.0.0.1, port: 7080, workers: 1, connection-id-secret: "perf-test-secret-0123456789"}
metrics: {enabled: false}
storage: {type: redis, redis: {uri: "redis://127.0.0.1:23500/0"}}
Y
taskset -pc 0 $redis >/dev/null
java -jar target/swarmgate.jar --config "$out/memory.yaml" >"$out/memory.log" 2>&1 &
mem=$!
java -jar target/swarmgate.jar --config "$out/redis.yaml" >"$out/redis-tracker.log" 2>&1 &
red=$!
trap 'kill $mem $red $redis 2>/dev/null || true' EXIT
sleep 3
# java -jar starts the launcher, which runs the tracker in a child JVM: measure and pin that one
child() { pgrep -P "$1" java || echo "$1"; }
memjvm=$(child $mem); redjvm=$(child $red)
for pid in $mem $red $memjvm $redjvm; do taskset -apc 0 $pid >/dev/null; done
./mvnw -B -q -Pbench -DskipTests test-compile >/dev/null
cp=$(./mvnw -B -q -Pbench dependency:build-classpath -Dmdep.outputFile=/dev/stdout -Dmdep.includeScope=test)
JAVA=${JAVA:-$(ls -d /usr/lib/jvm/*-2[1-9]*/bin/java /usr/lib/jvm/temurin-2*/bin/java 2>/dev/null | sort -V | tail -1)}
ticks() { awk '{print $14 + $15}' /proc/$1/stat; }
for r in $(seq "$rounds"); do
  for store in memory redis; do
    port=7070; pid=$memjvm
    if [ $store = redis ]; then port=7080; pid=$redjvm; fi
    redis-cli -p 23500 CONFIG RESETSTAT >/dev/null
    before=$(ticks $redis)
    line=$(taskset -c 1 "$JAVA" -jar target/swarmgate.jar bench udp \
      --target 127.0.0.1:$port --duration 10s --warmup 2s --sockets 1 --window "$window" --tracker-pid $pid | grep '^BENCH')
    after=$(ticks $redis)
    evalsha=$(redis-cli -p 23500 INFO commandstats | grep -o 'cmdstat_evalsha:calls=[0-9]*' | cut -d= -f2 || echo 0)
    total=$(redis-cli -p 23500 INFO stats | grep -o 'total_commands_processed:[0-9]*' | cut -d: -f2)
    echo "round=$r store=$store $line redis_cpu_ticks_12s=$((after - before)) evalsha=${evalsha:-0} redis_commands_incl_script=$total"
  done
done
