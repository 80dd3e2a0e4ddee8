#!/usr/bin/env bash
# Where a tracker's CPU goes at a fixed rate, thread by thread (README "Thirteenth session" under "Redis store").
# Starts a redis-server and one tracker (both on core 0, shipped config/jvm.options), drives it with
# `swarmgate bench udp` on core 1 at RATE/s, and over 10 s of the measured window prints the bench's line, each
# tracker thread's user/system CPU and voluntary/involuntary context switches per announce, redis-server's
# CPU per announce, its context switches and its FCALL commandstats (usec_per_call: wall time in the function).
# Usage: docs/perf-data/thread-cpu.sh   (after ./mvnw -B -q -DskipTests -DskipDist package)
#   STORE=redis|memory (redis), RATE (10000), DURATION (20s), WARMUP (15s), SNAP_AT (17: seconds into the run)
#   SCHED=tracker|redis|both: those run as SCHED_BATCH (chrt -b), whose wake-ups do not preempt a running task
#   PERFREC=name: a perf record of both processes over the 10 s window, to $TMPDIR/perf-name.data (default /tmp)
#   EXTRA="...": more JVM options for the tracker. BASE (31000): redis BASE+500, UDP/HTTP BASE+80/81
set -euo pipefail
cd "$(dirname "$0")/../.."
base=${BASE:-31000}
out=$(mktemp -d)
java=$(ls -d /usr/lib/jvm/*/bin/java | while read -r j; do "$j" -version 2>&1 | grep -q 'version "2[1-9]' && echo "$j"; done | head -1)
mapfile -t jvm < <(grep -v '^\s*#' config/jvm.options | grep -v '^\s*$')
STORE=${STORE:-redis}
if [ "$STORE" = redis ]; then st="storage: {type: redis, redis: {uri: \"redis://127.0.0.1:$((base + 500))/0\"}}"; else st="storage: {type: memory}"; fi
cat >"$out/t.yaml" <<Y
http: {host: 127.0.0.1, port: $((base + 81))}
udp: {host: 127.0.0.1, port: $((base + 80)), workers: 1, connection-id-secret: "perf-test-secret-0123456789"}
$st
Y
taskset -c 0 redis-server --port $((base + 500)) --bind 127.0.0.1 --save '' --appendonly no >"$out/redis.log" 2>&1 &
rp=$!
"$java" "${jvm[@]}" ${EXTRA:-} -jar target/swarmgate.jar --config "$out/t.yaml" >"$out/tracker.log" 2>&1 &
tp=$!
trap 'kill $tp $rp 2>/dev/null || true; wait $tp $rp 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  redis-cli -p $((base + 500)) ping >/dev/null 2>&1 && curl -s -o /dev/null "http://127.0.0.1:$((base + 81))/scrape" && break
  sleep 0.2
done
# every thread of the tracker (-a): one that ends while the list is walked fails the call, so try again
threads() { for _ in 1 2 3; do "$@" >/dev/null 2>&1 && return; done; "$@" >/dev/null; }
threads taskset -apc 0 $tp
case "${SCHED:-}" in both) threads chrt -a -b -p 0 $tp; chrt -b -p 0 $rp;; tracker) threads chrt -a -b -p 0 $tp;; redis) chrt -b -p 0 $rp;; esac
snap() { for t in /proc/$tp/task/*; do echo "$(basename $t) $(cat $t/comm | tr ' ' _) $(awk '{print $14, $15}' $t/stat)"; done; }
ctx() { for t in /proc/$tp/task/*; do echo "$(basename $t) $(grep -E '^(voluntary|nonvoluntary)_ctxt' $t/status | awk '{printf "%s ", $2}')"; done; }
rs() { awk '{print $14+$15}' /proc/$rp/stat; }
rsplit() { awk '{print "redis utime", $14, "stime", $15}' /proc/$rp/stat; grep ctxt /proc/$rp/status | tr '\n' ' '; echo; }
taskset -c 1 "$java" -jar target/swarmgate.jar bench udp --target 127.0.0.1:$((base + 80)) --sockets 1 --window 64 \
  --rate "${RATE:-10000}" --duration "${DURATION:-20s}" --warmup "${WARMUP:-15s}" 2>/dev/null > "$out/bench.txt" &
bp=$!
sleep "${SNAP_AT:-17}"
snap > "$out/a"; ctx > "$out/ca"; r1=$(rs); rsplit; redis-cli -p $((base + 500)) config resetstat >/dev/null; t1=$(date +%s.%N)
if [ -n "${PERFREC:-}" ]; then perf record -o "${TMPDIR:-/tmp}/perf-$PERFREC.data" -F 2999 -g -p $rp,$tp -- sleep 10 >/dev/null 2>&1; else sleep 10; fi
snap > "$out/b"; ctx > "$out/cb"; r2=$(rs); rsplit; redis-cli -p $((base + 500)) info commandstats | grep -i fcall; redis-cli -p $((base + 500)) info stats | grep -E "total_net_input|instantaneous_ops"; t2=$(date +%s.%N)
wait $bp
grep '^BENCH' "$out/bench.txt" | tr ' ' '\n' | grep -E '^(rate|announces|p50|p99|p999|timeouts|late|send_lag|max)' | tr '\n' ' '; echo
dt=$(echo "$t2 - $t1" | bc)
join <(sort "$out/a") <(sort "$out/b") | join - <(sort "$out/ca") | join - <(sort "$out/cb") | awk -v dt=$dt -v rate=${RATE:-10000} '{u=$6-$3; s=$7-$4; vc=$10-$8; nc=$11-$9; if (u+s>0 || vc>100) printf "%-16s user %6.1f us sys %6.1f us per announce, vcs %.2f ncs %.2f per announce\n", $2, u*10000/(dt*rate), s*10000/(dt*rate), vc/(dt*rate), nc/(dt*rate)}' | sort -k3 -nr
echo "redis: $(echo "($r2 - $r1) * 10000 / ($dt * ${RATE:-10000})" | bc -l | cut -c1-5) us per announce"
