#!/usr/bin/env bash
# Memory store vs Redis store, one tracker each, interleaved runs (README "Redis store", figures).
# Tracker(s) and redis-server on core 0, the load generator on core 1. Loopback only; stops what it starts.
# Usage: docs/perf-data/redis-bench.sh [rounds] [window] [modes] [rate]   (after ./mvnw -B -q -DskipTests -DskipDist package)
#   modes: any of udp http-keepalive http-close, comma-separated (default udp)
#   rate:  announces/s offered open-loop (bench --rate, when the jar has it); empty = closed loop, as fast as it goes
# Ports: redis 30500, memory tracker UDP/HTTP 30070/30071, Redis tracker 30080/30081 (BASE=... moves them).
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-3}
window=${2:-64}
modes=${3:-udp}
rate=${4:-}
base=${BASE:-30000}
rport=$((base + 500)); mudp=$((base + 70)); mhttp=$((base + 71)); rudp=$((base + 80)); rhttp=$((base + 81))
out=$(mktemp -d)
redis-server --port $rport --bind 127.0.0.1 --save '' --appendonly no --daemonize no >"$out/redis.log" 2>&1 &
redis=$!
cat >"$out/memory.yaml" <<Y
http: {host: 127.0.0.1, port: $mhttp}
udp: {host: 127.0.0.1, port: $mudp, workers: 1, connection-id-secret: "perf-test-secret-0123456789"}
metrics: {enabled: false}
Y
cat >"$out/redis.yaml" <<Y
http: {host: 127.0.0.1, port: $rhttp}
udp: {host: 127.0.0.1, port: $rudp, workers: 1, connection-id-secret: "perf-test-secret-0123456789"}
metrics: {enabled: false}
storage: {type: redis, redis: {uri: "redis://127.0.0.1:$rport/0"}}
Y
taskset -pc 0 $redis >/dev/null
java -jar target/swarmgate.jar --config "$out/memory.yaml" >"$out/memory.log" 2>&1 &
mem=$!
java -jar target/swarmgate.jar --config "$out/redis.yaml" >"$out/redis-tracker.log" 2>&1 &
red=$!
trap 'kill $mem $red $redis 2>/dev/null || true' EXIT
for _ in $(seq 100); do   # bounded: both trackers answer HTTP, at most 20 s
  if curl -s -o /dev/null "http://127.0.0.1:$mhttp/scrape" 2>/dev/null \
     && curl -s -o /dev/null "http://127.0.0.1:$rhttp/scrape" 2>/dev/null; then break; fi
  sleep 0.2
done
sleep 1
# java -jar starts the launcher, which runs the tracker in a child JVM: measure and pin that one
child() { pgrep -P "$1" java || echo "$1"; }
memjvm=$(child $mem); redjvm=$(child $red)
for pid in $mem $red $memjvm $redjvm; do taskset -apc 0 $pid >/dev/null; done
JAVA=${JAVA:-$(ls -d /usr/lib/jvm/*-2[1-9]*/bin/java /usr/lib/jvm/temurin-2*/bin/java 2>/dev/null | sort -V | tail -1)}
ticks() { awk '{print $14 + $15}' /proc/$1/stat; }
for r in $(seq "$rounds"); do
  for mode in ${modes//,/ }; do
    for store in memory redis; do
      pid=$memjvm; udp=$mudp; http=$mhttp
      if [ $store = redis ]; then pid=$redjvm; udp=$rudp; http=$rhttp; fi
      case $mode in
        udp) args=(udp --target 127.0.0.1:$udp --sockets 1 --window "$window") ;;
        http-keepalive) args=(http --target 127.0.0.1:$http --sockets 1 --window "$window" --keep-alive) ;;
        http-close) args=(http --target 127.0.0.1:$http --sockets 1 --window "$window") ;;
        *) echo "unknown mode $mode" >&2; exit 2 ;;
      esac
      if [ -n "$rate" ]; then args+=(--rate "$rate"); fi
      redis-cli -p $rport CONFIG RESETSTAT >/dev/null
      before=$(ticks $redis)
      line=$(taskset -c 1 "$JAVA" -jar target/swarmgate.jar bench "${args[@]}" \
        --duration 10s --warmup 2s --tracker-pid $pid | grep '^BENCH')
      after=$(ticks $redis)
      # top-level calls of the store's functions (FCALL; EVALSHA before the function library)
      fcall=$(redis-cli -p $rport INFO commandstats | grep -o 'cmdstat_\(fcall\|evalsha\):calls=[0-9]*' | cut -d= -f2 | paste -sd+ | bc || true)
      # commandstats counts the commands a function runs too: all calls minus fcall = commands inside functions
      inside=$(redis-cli -p $rport INFO commandstats | grep -o 'calls=[0-9]*' | cut -d= -f2 | paste -sd+ | bc)
      echo "round=$r mode=$mode store=$store $line redis_cpu_ticks_12s=$((after - before)) fcall=${fcall:-0} redis_commands_incl_script=$inside"
    done
  done
done
