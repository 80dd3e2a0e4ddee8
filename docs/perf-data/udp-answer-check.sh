#!/usr/bin/env bash
# Did the tracker answer what the bench counts as lost, and how long did it take itself? (README "Twelfth
# session" and "Thirteenth session" under "Redis store".) Starts a redis-server and one Redis-store tracker with
# metrics and udp.arrival-timestamps on (both on core 0), drives it with `swarmgate bench udp` on core 1 at
# RATE/s, then prints the bench's line, the tracker's UDP announce histogram (from each datagram's arrival at
# the socket to its answer) over the whole run and over the measured window alone (from SNAP s on), the
# kernel's UDP counters over the run (In/Out datagrams, receive-buffer errors: every answer sent was delivered
# when In = Out and no errors), the steal time of core 0, redis-server's slowest commands (LATENCY, 1 ms
# threshold), and with GCLOG its young pauses and the bytes allocated per announce.
# Usage: docs/perf-data/udp-answer-check.sh   (after ./mvnw -B -q -DskipTests -DskipDist package)
#   RATE (10000), DURATION (20s), WARMUP (10s), SNAP (WARMUP + 1 s), BASE (31000: redis BASE+500, UDP/HTTP
#   BASE+80/81, metrics BASE+880), JAR (target/swarmgate.jar: the tracker's build; the bench is this tree's)
#   JVM_OPTIONS=file: the tracker's JVM options from that jvm.options file (default: the JVM's own defaults);
#   EXTRA="...": more options after them; GCLOG=file: -Xlog:gc to that file, summed up at the end
#   SCHED_BATCH=1: the tracker's threads as SCHED_BATCH (chrt -a -b), as in redis-bench.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
base=${BASE:-31000}
warmup=${WARMUP:-10s}
snap=${SNAP:-$(( ${warmup%s} + 1 ))}
out=$(mktemp -d)
java=$(ls -d /usr/lib/jvm/*/bin/java | while read -r j; do "$j" -version 2>&1 | grep -q 'version "2[1-9]' && echo "$j"; done | head -1)
jvm=(--enable-native-access=ALL-UNNAMED)
if [ -n "${JVM_OPTIONS:-}" ]; then mapfile -t jvm < <(grep -v '^\s*#' "$JVM_OPTIONS" | grep -v '^\s*$'); fi
if [ -n "${EXTRA:-}" ]; then read -ra extra <<<"$EXTRA"; jvm+=("${extra[@]}"); fi
if [ -n "${GCLOG:-}" ]; then jvm+=("-Xlog:gc:file=$GCLOG"); fi
cat >"$out/t.yaml" <<Y
http: {host: 127.0.0.1, port: $((base + 81))}
udp: {host: 127.0.0.1, port: $((base + 80)), workers: 1, connection-id-secret: "perf-test-secret-0123456789", arrival-timestamps: true}
metrics: {enabled: true, host: 127.0.0.1, port: $((base + 880))}
storage: {type: redis, redis: {uri: "redis://127.0.0.1:$((base + 500))/0"}}
Y
redis-server --port $((base + 500)) --bind 127.0.0.1 --save '' --appendonly no >"$out/redis.log" 2>&1 &
rp=$!
"$java" "${jvm[@]}" -jar "${JAR:-target/swarmgate.jar}" --config "$out/t.yaml" >"$out/tracker.log" 2>&1 &
tp=$!
trap 'kill $tp $rp 2>/dev/null || true; wait $tp $rp 2>/dev/null || true' EXIT
for _ in $(seq 100); do   # bounded: both up within 20 s
  redis-cli -p $((base + 500)) ping >/dev/null 2>&1 && curl -s -o /dev/null "http://127.0.0.1:$((base + 81))/scrape" && break
  sleep 0.2
done
# every thread of the tracker (-a): one that ends while the list is walked fails the call, so try again
threads() { for _ in 1 2 3; do "$@" >/dev/null 2>&1 && return; done; "$@" >/dev/null; }
taskset -pc 0 $rp >/dev/null; threads taskset -apc 0 $tp
if [ "${SCHED_BATCH:-}" = 1 ]; then threads chrt -a -b -p 0 $tp; fi
redis-cli -p $((base + 500)) config set latency-monitor-threshold 1 >/dev/null
udp() { awk '/^Udp:/ {if (h) print "in=" $2, "out=" $5, "rcvbuf_errors=" $6; h=1}' /proc/net/snmp; }
steal() { awk '/^cpu0 / {print $9}' /proc/stat; }
# the histogram's buckets as "le count" lines
buckets() {
  curl -s "http://127.0.0.1:$((base + 880))/metrics" | grep 'swarmgate_requests_seconds_bucket' | grep 'frontend="udp"' \
    | grep 'action="announce"' | grep 'result="ok"' | sed -E 's/.*le="([^"]+)"} /\1 /'
}
before=$(udp); steal0=$(steal)
(sleep "$snap"; buckets >"$out/window-start") &
snapper=$!
taskset -c 1 "$java" -jar target/swarmgate.jar bench udp --target 127.0.0.1:$((base + 80)) --sockets 1 --window 64 \
  --rate "${RATE:-10000}" --duration "${DURATION:-20s}" --warmup "$warmup" 2>/dev/null | grep '^BENCH'
wait $snapper
after=$(udp); steal1=$(steal)
curl -s "http://127.0.0.1:$((base + 880))/metrics" | grep 'swarmgate_requests_seconds' | grep 'frontend="udp"' \
  | grep 'action="announce"' | grep -E '_count|_max|le="(0.001|0.005|0.01|0.1|1.0)"'
echo "the measured window alone (from $snap s), answered within: $(join "$out/window-start" <(buckets) \
  | awk '{n[$1] = $3 - $2} END {t = n["+Inf"]; printf "1 ms %.2f%%, 5 ms %.2f%%, 10 ms %.2f%% of %d", 100 * n["0.001"] / t, 100 * n["0.005"] / t, 100 * n["0.01"] / t, t}')"
echo "kernel UDP before: $before"
echo "kernel UDP after:  $after"
echo "steal on core 0 over the run: $((steal1 - steal0)) ticks of 10 ms"
echo "redis-server's slowest command (LATENCY LATEST, ms): $(redis-cli -p $((base + 500)) latency latest | tr '\n' ' ')"
if [ -n "${GCLOG:-}" ]; then
  grep 'Pause Young' "$GCLOG" | awk '{print $NF}' | tr -d 'ms' | sort -n \
    | awk '{p[NR] = $1} END {printf "young pauses: %d, median %.2f ms, longest %.2f ms\n", NR, p[int((NR + 1) / 2)], p[NR]}'
  answered=$(grep -o 'swarmgate_requests_seconds_count{[^}]*frontend="udp"[^}]*} [0-9]*' <(curl -s "http://127.0.0.1:$((base + 880))/metrics") \
    | grep 'action="announce"' | awk '{s += $NF} END {print s}')
  grep 'Pause Young' "$GCLOG" | grep -oE '[0-9]+M->[0-9]+M' | tr -d M \
    | awk -F'->' -v n="$answered" '{a += $1 - $2} END {printf "allocated (young collections, before - after): %.0f MB, %.2f KB per announce of %d\n", a, a * 1024 / n, n}'
fi
