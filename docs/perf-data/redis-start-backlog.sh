#!/bin/bash
# The Redis store's "stall right after start": one open-loop run at 11,895/s with a 2 s and with an 8 s warm-up
# (redis-server on core 0 port 29500, tracker UDP 29080, bench on core 1). WARMUPS="2s 8s" by default.
cd "$(dirname "$0")/../.."
W=$(mktemp -d); J=$(ls -d /usr/lib/jvm/temurin-2*/bin/java | tail -1)
taskset -c 0 redis-server --port 29500 --bind 127.0.0.1 --save '' --appendonly no > $W/r.log 2>&1 &
rp=$!
for _ in $(seq 50); do redis-cli -p 29500 ping >/dev/null 2>&1 && break; sleep 0.1; done
cat > $W/r.yaml <<Y
http: {host: 127.0.0.1, port: 29081}
udp: {host: 127.0.0.1, port: 29080, workers: 1, connection-id-secret: "perf-test-secret-0123456789"}
metrics: {enabled: false}
storage: {type: redis, redis: {uri: "redis://127.0.0.1:29500/0"}}
Y
for wu in ${WARMUPS:-2s 8s}; do
  redis-cli -p 29500 flushall >/dev/null
  taskset -c 0 $J -jar target/swarmgate.jar --config $W/r.yaml > $W/t.log 2>&1 &
  tp=$!
  for _ in $(seq 100); do grep -q 'UDP tracker listening' $W/t.log && break; sleep 0.1; done
  taskset -c 1 $J -jar target/swarmgate.jar bench udp --target 127.0.0.1:29080 --sockets 1 --window 64 --duration 10s \
    --warmup $wu --rate 11895 --tracker-pid $tp 2>&1 | grep -E '^BENCH|warm-up|measured   [123] ' \
    | grep -oE '(warm-up|measured) +[0-9]+ s +[0-9,]+/s|p50_us=[^ ]+|p99_us=[^ ]+|service_p99_us=[^ ]+|send_lag_p99_us=[^ ]+' | tr '\n' ' '
  echo "[warmup $wu]"
  kill $tp; wait $tp 2>/dev/null
done
kill $rp; wait $rp 2>/dev/null; rm -rf $W
