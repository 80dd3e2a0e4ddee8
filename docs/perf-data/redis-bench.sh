#!/usr/bin/env bash
# Memory store vs Redis store, one tracker each, interleaved runs (README "Redis store", figures).
# Tracker(s) and redis-server on core 0, the load generator on core 1 (REDIS_CPU=1 puts redis-server beside the
# generator instead: Redis on a core the tracker does not use, as on a host of its own). Loopback only; stops what
# it starts.
# Usage: docs/perf-data/redis-bench.sh [rounds] [window] [modes] [rate]   (after ./mvnw -B -q -DskipTests -DskipDist package)
#   modes: any of udp http-keepalive http-close, comma-separated (default udp)
#   rate:  announces/s offered open-loop (bench --rate, when the jar has it); empty = closed loop, as fast as it goes
# Ports: redis 30500, memory tracker UDP/HTTP 30070/30071, Redis tracker 30080/30081 (BASE=... moves them).
# Redis rounds also print, per announce: redis_user_us / redis_sys_us (its main thread's CPU), in_function_us
# (FCALL's usec: the function with the commands it runs) and redis_syscalls (perf stat). PERF=1 adds a
# call-graph profile of redis-server in the last Redis round (perf record -g), reported at the end; JFR=1 a JFR
# recording (profile settings) of the Redis-store tracker in that round, its execution samples printed to a file;
# TPERF=1 a profile of that tracker by thread and library (perf record), printed at the end. Every round also
# prints, per announce, the tracker's user/system CPU, system calls and context switches (tracker_*).
# WARMUP=8s: a longer unmeasured start (default 2s; an open-loop run at a fixed rate needs the JIT and the first
# announces of the bench's new peers behind it, or their backlog lands in the measured window).
# PEERS=random: new random peers every run (the default before the fifteenth session; see --peer-seed below).
# SOCKETS=n: the UDP generator's sockets (default 1). BENCH_ARGS="..." adds options to every bench run (e.g.
# SOCKETS=2 BENCH_ARGS="--threads 2": two generator threads on
# core 1, which then park instead of polling, leaving that core to a redis-server beside them, REDIS_CPU=1).
# JVM_OPTIONS=file starts both trackers with that jvm.options file's options (e.g. config/jvm.options, as
# deployed; default none: the JVM's own defaults).
# JAR=path runs another build (trackers and load generator; default target/swarmgate.jar, its libs beside it).
# CLUSTER=1: the Redis store on a three-master Redis Cluster (ports 30500-30502 and their buses 40500-40502, all
# three pinned where redis-server goes), its figures summed over the three.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-3}
warmup=${WARMUP:-2s}
WARMUP_S=${warmup%s}   # whole seconds, for the system-call count's window
window=${2:-64}
modes=${3:-udp}
rate=${4:-}
base=${BASE:-30000}
jar=${JAR:-target/swarmgate.jar}
rport=$((base + 500)); mudp=$((base + 70)); mhttp=$((base + 71)); rudp=$((base + 80)); rhttp=$((base + 81))
out=$(mktemp -d)
rports=($rport)
if [ "${CLUSTER:-}" = 1 ]; then rports=($rport $((rport + 1)) $((rport + 2))); fi
rpids=()
for p in "${rports[@]}"; do
  extra=()
  if [ "${CLUSTER:-}" = 1 ]; then extra=(--cluster-enabled yes --cluster-config-file "$out/nodes-$p.conf"); fi
  redis-server --port $p --bind 127.0.0.1 --save '' --appendonly no --daemonize no "${extra[@]}" >"$out/redis-$p.log" 2>&1 &
  rpids+=($!)
done
redis=${rpids[0]}
trap 'kill "${rpids[@]}" 2>/dev/null || true; wait "${rpids[@]}" 2>/dev/null || true' EXIT
for i in "${!rports[@]}"; do
  for _ in $(seq 50); do   # bounded: up within 5 s, or the port is taken (say, a server still exiting)
    redis-cli -p ${rports[$i]} ping >/dev/null 2>&1 && break
    kill -0 ${rpids[$i]} 2>/dev/null || { echo "redis-server did not start on port ${rports[$i]}: $(tail -1 "$out/redis-${rports[$i]}.log")" >&2; exit 1; }
    sleep 0.1
  done
done
if [ "${CLUSTER:-}" = 1 ]; then
  redis-cli --cluster create $(printf '127.0.0.1:%s ' "${rports[@]}") --cluster-replicas 0 --cluster-yes >"$out/cluster-create.log" 2>&1
  for _ in $(seq 100); do   # bounded: the Cluster agrees within 10 s
    redis-cli -p $rport CLUSTER INFO | grep -q 'cluster_state:ok' && break
    sleep 0.1
  done
fi
ruri=redis://127.0.0.1:$rport/0; rcluster=false
if [ "${CLUSTER:-}" = 1 ]; then ruri=redis://127.0.0.1:$rport; rcluster=true; fi
# on every Redis node (one, or the Cluster's three)
rall() { for p in "${rports[@]}"; do redis-cli -p $p "$@"; done; }
cat >"$out/memory.yaml" <<Y
http: {host: 127.0.0.1, port: $mhttp}
udp: {host: 127.0.0.1, port: $mudp, workers: 1, connection-id-secret: "perf-test-secret-0123456789"}
metrics: {enabled: false}
Y
cat >"$out/redis.yaml" <<Y
http: {host: 127.0.0.1, port: $rhttp}
udp: {host: 127.0.0.1, port: $rudp, workers: 1, connection-id-secret: "perf-test-secret-0123456789"}
metrics: {enabled: false}
storage: {type: redis, redis: {uri: "$ruri", cluster: $rcluster}}
Y
for p in "${rpids[@]}"; do taskset -pc "${REDIS_CPU:-0}" $p >/dev/null; done
# JVM options of both trackers: none (the JVM's defaults, as in every figure before the eleventh session), or
# those of a jvm.options file (JVM_OPTIONS=config/jvm.options: what bin/swarmgate, the image and the systemd unit
# start the tracker with; java -jar hands them on to the JDK 21+ it relaunches on)
jvm=()
if [ -n "${JVM_OPTIONS:-}" ]; then mapfile -t jvm < <(grep -v '^\s*#' "$JVM_OPTIONS" | grep -v '^\s*$'); fi
# PIN_AT_START=1: the trackers start pinned to core 0 (taskset -c 0 java ...), so their JVMs size collector and
# compiler threads for the one CPU they run on (with the JVM's defaults that also means the Serial collector);
# default: pinned once they run, with two CPUs' ergonomics (every figure before the twelfth session)
pin=()
if [ "${PIN_AT_START:-}" = 1 ]; then pin=(taskset -c 0); fi
"${pin[@]}" java "${jvm[@]}" -jar "$jar" --config "$out/memory.yaml" >"$out/memory.log" 2>&1 &
mem=$!
"${pin[@]}" java "${jvm[@]}" -jar "$jar" --config "$out/redis.yaml" >"$out/redis-tracker.log" 2>&1 &
red=$!
# wait for them too, so that the next run finds the ports free
trap 'kill $mem $red "${rpids[@]}" 2>/dev/null || true; wait $mem $red "${rpids[@]}" 2>/dev/null || true' EXIT
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
# SCHED_BATCH=1: both trackers' threads run as SCHED_BATCH (chrt -a -b), so that their wake-ups do not preempt
# redis-server in the middle of a function on the core they share (README "Thirteenth session")
if [ "${SCHED_BATCH:-}" = 1 ]; then for pid in $memjvm $redjvm; do chrt -a -b -p 0 $pid; done; fi
JAVA=${JAVA:-$(ls -d /usr/lib/jvm/*-2[1-9]*/bin/java /usr/lib/jvm/temurin-2*/bin/java 2>/dev/null | sort -V | tail -1)}
# The same 50,000 peers in every run (bench --peer-seed), so that the swarms stay at 50 peers however many
# rounds and modes run against these two trackers; with random peers (PEERS=random, or a jar whose bench has
# no --peer-seed) each run adds 50 peers to every swarm, and later rounds measure larger swarms.
seed=()
if [ "${PEERS:-}" != random ] && "$JAVA" -jar "$jar" bench --help 2>/dev/null | grep -q -- --peer-seed; then
  seed=(--peer-seed 1)
fi
ticks() { local t=0; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' /proc/$p/stat))); done; echo $t; }
cpu() { rall INFO cpu | tr -d '\r' | awk -F: -v k="$1" '$1 == k {s += $2} END {printf "%.6f", s}'; }
for r in $(seq "$rounds"); do
  for mode in ${modes//,/ }; do
    for store in memory redis; do
      pid=$memjvm; udp=$mudp; http=$mhttp
      if [ $store = redis ]; then pid=$redjvm; udp=$rudp; http=$rhttp; fi
      case $mode in
        udp) args=(udp --target 127.0.0.1:$udp --sockets "${SOCKETS:-1}" --window "$window") ;;
        http-keepalive) args=(http --target 127.0.0.1:$http --sockets 1 --window "$window" --keep-alive) ;;
        http-close) args=(http --target 127.0.0.1:$http --sockets 1 --window "$window") ;;
        *) echo "unknown mode $mode" >&2; exit 2 ;;
      esac
      if [ -n "$rate" ]; then args+=(--rate "$rate"); fi
      args+=("${seed[@]}")
      if [ -n "${BENCH_ARGS:-}" ]; then read -ra extra <<<"$BENCH_ARGS"; args+=("${extra[@]}"); fi
      rall CONFIG RESETSTAT >/dev/null
      before=$(ticks "${rpids[@]}"); u0=$(cpu used_cpu_user_main_thread); s0=$(cpu used_cpu_sys_main_thread)
      watch=()
      # the tracker's system calls and context switches (all its threads), and its user/system CPU split
      perf stat -x, -e raw_syscalls:sys_enter,context-switches -p $pid -o "$out/tracker-syscalls" \
        -- sleep $((10 + WARMUP_S)) 2>/dev/null &
      watch+=($!)
      tu0=$(awk '{print $14}' /proc/$pid/stat); ts0=$(awk '{print $15}' /proc/$pid/stat)
      if [ $store = redis ]; then   # redis-server's system calls (the kernel's count), and a profile if asked
        perf stat -x, -e raw_syscalls:sys_enter -p "$(IFS=,; echo "${rpids[*]}")" -o "$out/syscalls" -- sleep $((10 + WARMUP_S)) 2>/dev/null &
        watch+=($!)
        if [ "${PERF:-}" = 1 ] && [ "$r" = "$rounds" ]; then
          perf record -g -o "$out/perf.data" -p $redis -- sleep 11 >/dev/null 2>&1 &
          watch+=($!)
        fi
        if [ "${TPERF:-}" = 1 ] && [ "$r" = "$rounds" ]; then   # the Redis-store tracker, by thread and library
          perf record -o "$out/tracker-perf.data" -p $pid -- sleep $((10 + WARMUP_S)) >/dev/null 2>&1 &
          watch+=($!)
        fi
        if [ "${JFR:-}" = 1 ] && [ "$r" = "$rounds" ]; then   # the Redis-store tracker's own CPU, by stack
          "$(dirname "$JAVA")/jcmd" $redjvm JFR.start name=bench settings=profile duration=11s \
            filename="$out/tracker.jfr" >/dev/null
        fi
      fi
      line=$(taskset -c 1 "$JAVA" -jar "$jar" bench "${args[@]}" \
        --duration 10s --warmup "$warmup" --tracker-pid $pid | grep '^BENCH')
      after=$(ticks "${rpids[@]}"); u1=$(cpu used_cpu_user_main_thread); s1=$(cpu used_cpu_sys_main_thread)
      tu1=$(awk '{print $14}' /proc/$pid/stat); ts1=$(awk '{print $15}' /proc/$pid/stat)
      for w in "${watch[@]}"; do wait "$w" || true; done
      answered=$(grep -o ' announces=[0-9]*' <<<"$line" | cut -d= -f2)
      # the counts span warm-up and measured window, and so does the bench's announces= (every answer of the
      # run): per announce answered over the whole run (the warm-up's JIT included)
      tper() { echo "scale=2; $1 / $answered" | bc; }
      # per announce answered: µs of the tracker's user and system CPU (clock ticks of 10 ms), its system calls
      # and context switches
      tracker=" tracker_user_us=$(tper "($tu1 - $tu0) * 10000") tracker_sys_us=$(tper "($ts1 - $ts0) * 10000")"
      tracker+=" tracker_syscalls=$(tper "$(grep raw_syscalls "$out/tracker-syscalls" | cut -d, -f1)")"
      tracker+=" tracker_cswitches=$(tper "$(grep context-switches "$out/tracker-syscalls" | cut -d, -f1)")"
      # summed over the nodes: one line per command
      stats=$(rall INFO commandstats | tr -d '\r' | grep '^cmdstat_' \
        | awk -F'[:,=]' '{c[$1] += $3; u[$1] += $5} END {for (k in c) printf "%s:calls=%d,usec=%d\n", k, c[k], u[k]}')
      # top-level calls of the store's functions (FCALL; EVALSHA before the function library)
      fcall=$(grep -o 'cmdstat_\(fcall\|evalsha\):calls=[0-9]*' <<<"$stats" | cut -d= -f2 | paste -sd+ | bc || true)
      # commandstats counts the commands a function runs too: all calls minus fcall = commands inside functions
      inside=$(grep -o 'calls=[0-9]*' <<<"$stats" | cut -d= -f2 | paste -sd+ | bc)
      split=""
      if [ "${fcall:-0}" -gt 0 ]; then
        # per announce: Redis main-thread CPU (user, system), the time inside the function (its usec, which
        # includes the commands it runs; the rest of the CPU is reading, parsing, replying, the event loop)
        fusec=$(grep -o 'cmdstat_\(fcall\|evalsha\):calls=[0-9]*,usec=[0-9]*' <<<"$stats" | cut -d= -f3 | paste -sd+ | bc)
        per() { echo "scale=1; $1 / $fcall" | bc; }
        split=" redis_user_us=$(per "($u1 - $u0) * 1000000") redis_sys_us=$(per "($s1 - $s0) * 1000000")"
        split+=" in_function_us=$(per "$fusec") redis_syscalls=$(echo "scale=2; $(grep raw_syscalls "$out/syscalls" | cut -d, -f1) / $fcall" | bc)"
      fi
      echo "round=$r mode=$mode store=$store $line redis_cpu_ticks_12s=$((after - before)) fcall=${fcall:-0} redis_commands_incl_script=$inside$split$tracker"
    done
  done
done
if [ "${JFR:-}" = 1 ]; then
  sleep 1   # the recording ends 11 s after it started
  "$(dirname "$JAVA")/jfr" print --events jdk.ExecutionSample --stack-depth 64 "$out/tracker.jfr" >"$out/tracker-samples.txt"
  echo "JFR execution samples of the Redis-store tracker: $out/tracker-samples.txt"
fi
if [ "${TPERF:-}" = 1 ]; then
  perf report -i "$out/tracker-perf.data" --no-children --sort comm,dso --stdio 2>/dev/null | grep '%' | grep -v '^#' | head -30
  perf report -i "$out/tracker-perf.data" --no-children --sort comm,dso,symbol --stdio 2>/dev/null | grep '%' | grep -v '^#' | head -60
fi
if [ "${PERF:-}" = 1 ]; then
  perf report -i "$out/perf.data" --no-children --sort dso,symbol --stdio 2>/dev/null | grep '%' | grep -v '^#' | head -40
  perf report -i "$out/perf.data" --children --sort symbol --stdio -g none 2>/dev/null | grep '%' | grep -v '^#' | head -40
fi
