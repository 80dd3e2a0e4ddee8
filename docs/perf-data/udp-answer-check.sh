#!/usr/bin/env bash
# Did the tracker answer what the bench counts as lost? (README "Twelfth session" under "Redis store".) Starts a
# redis-server and one Redis-store tracker with metrics and udp.arrival-timestamps on (both on core 0), drives it
# with `swarmgate bench udp` on core 1 at RATE/s, then prints the bench's line, the tracker's UDP announce
# histogram (from each datagram's arrival at the socket to its answer) and the kernel's UDP counters over the run
# (In/Out datagrams, receive-buffer errors: every answer sent was delivered when In = Out and no errors).
# Usage: docs/perf-data/udp-answer-check.sh   (after ./mvnw -B -q -DskipTests -DskipDist package)
#   RATE (10000), DURATION (20s), WARMUP (10s), BASE (31000: redis BASE+500, UDP/HTTP BASE+80/81, metrics BASE+880)
set -euo pipefail
cd "$(dirname "$0")/../.."
base=${BASE:-31000}
out=$(mktemp -d)
java=$(ls -d /usr/lib/jvm/*/bin/java | while read -r j; do "$j" -version 2>&1 | grep -q 'version "2[1-9]' && echo "$j"; done | head -1)
cat >"$out/t.yaml" <<Y
http: {host: 127.0.0.1, port: $((base + 81))}
udp: {host: 127.0.0.1, port: $((base + 80)), workers: 1, connection-id-secret: "perf-test-secret-0123456789", arrival-timestamps: true}
metrics: {enabled: true, host: 127.0.0.1, port: $((base + 880))}
storage: {type: redis, redis: {uri: "redis://127.0.0.1:$((base + 500))/0"}}
Y
redis-server --port $((base + 500)) --bind 127.0.0.1 --save '' --appendonly no >"$out/redis.log" 2>&1 &
rp=$!
"$java" --enable-native-access=ALL-UNNAMED -jar target/swarmgate.jar --config "$out/t.yaml" >"$out/tracker.log" 2>&1 &
tp=$!
trap 'kill $tp $rp 2>/dev/null || true; wait $tp $rp 2>/dev/null || true' EXIT
for _ in $(seq 100); do   # bounded: both up within 20 s
  redis-cli -p $((base + 500)) ping >/dev/null 2>&1 && curl -s -o /dev/null "http://127.0.0.1:$((base + 81))/scrape" && break
  sleep 0.2
done
taskset -pc 0 $rp >/dev/null; taskset -apc 0 $tp >/dev/null
udp() { awk '/^Udp:/ {if (h) print "in=" $2, "out=" $5, "rcvbuf_errors=" $6; h=1}' /proc/net/snmp; }
before=$(udp)
taskset -c 1 "$java" -jar target/swarmgate.jar bench udp --target 127.0.0.1:$((base + 80)) --sockets 1 --window 64 \
  --rate "${RATE:-10000}" --duration "${DURATION:-20s}" --warmup "${WARMUP:-10s}" 2>/dev/null | grep '^BENCH'
after=$(udp)
curl -s "http://127.0.0.1:$((base + 880))/metrics" | grep 'swarmgate_requests_seconds' | grep 'frontend="udp"' \
  | grep 'action="announce"' | grep -E '_count|_max|le="(0.01|0.1|1.0)"'
echo "kernel UDP before: $before"
echo "kernel UDP after:  $after"
