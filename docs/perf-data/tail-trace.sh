#!/usr/bin/env bash
# Where the tail of a half-load UDP run comes from (docs/performance.md "UDP p99 at half of peak"): one tracker
# (config/jvm.options, docs/perf-data/sg-w1.yaml, or CONFIG=) on core 0 with a GC+safepoint log and a flight
# recording, warmed up by a saturated run (15 s), then open loop at RATE (55000/s) with SOCKETS x WINDOW (1 x 64)
# from core 1 for 10 s, the load generator logging its own GC. During the measured window, for PERF_S (8) s:
# `perf sched record` of both CPUs, every tracker and generator thread's CPU (/proc/<pid>/task), and the
# hypervisor's steal per CPU (/proc/stat). Everything lands in OUT (default /tmp/tail-trace);
# docs/perf-data/tail-sched.py OUT reads the scheduler trace (what ran on each core, how long the UDP worker and
# the generator waited runnable). CONFIG=docs/perf-data/sg-w1-accounting-on.yaml needs a PostgreSQL on PG_PORT
# (docs/perf-data/pg-bench-db.sh). Take the bench lock around it:
#   flock /tmp/swarmgate-bench.lock docs/perf-data/tail-trace.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
JAVA=${JAVA:-$(ls -d /usr/lib/jvm/temurin-2*/bin/java | tail -1)}
JAR=${JAR:-target/swarmgate.jar}
OPTS=${OPTS:-config/jvm.options}
out=${OUT:-/tmp/tail-trace}
udp=${UDP_PORT:-22070}
http=${HTTP_PORT:-22071}
pg=${PG_PORT:-22432}
rate=${RATE:-55000}
mkdir -p "$out"
rm -f "$out"/*
sed -e "s/port: 7070/port: $udp/; s/port: 7071/port: $http/; s/21070/$udp/; s/21071/$http/; s/21432/$pg/" \
    "${CONFIG:-docs/perf-data/sg-w1.yaml}" >"$out/tracker.yaml"
# shellcheck disable=SC2046 # one option per line, none with spaces
taskset -c 0 "$JAVA" $(grep -v '^#' "$OPTS") ${TRACKER_OPTS:-} \
    "-Xlog:gc*,safepoint:file=$out/tracker-gc.log:uptime,tid" \
    "-XX:StartFlightRecording:filename=$out/tracker.jfr,settings=profile,jdk.ThreadPark#threshold=1ms,jdk.JavaMonitorWait#threshold=1ms,jdk.JavaMonitorEnter#threshold=1ms" \
    -jar "$JAR" --config "$out/tracker.yaml" >"$out/tracker.log" 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do grep -qs "swarmgate started" "$out/tracker.log" && break; sleep 0.1; done
bench() { # one JVM option for the generator, then bench arguments
  local jvm=$1
  shift
  taskset -c 1 "$JAVA" ${BENCH_OPTS:-} "$jvm" -jar "$JAR" bench udp --target "127.0.0.1:$udp" --tracker-pid "$pid" \
      --duration 10s "$@" 2>&1 | grep '^BENCH'
}
warm=()
if [[ -n "${WARM_RATE:-}" ]]; then warm=(--rate "$WARM_RATE"); fi # a dry run: no saturated warm-up
bench -Xlog:disable --warmup 5s --sockets 16 --window 4 "${warm[@]}" | tee "$out/warm.txt"
threads() { # pid file: tid comm utime+stime (ticks) per thread
  for t in /proc/"$1"/task/*; do
    awk -v tid="${t##*/}" '{ sub(/^[0-9]+ \(/, ""); i = index($0, ") "); comm = substr($0, 1, i - 1);
      $0 = substr($0, i + 2); gsub(/ /, "_", comm); print tid, comm, $12 + $13 }' "$t/stat" 2>/dev/null
  done >"$2" || true
}
bench "-Xlog:gc*,safepoint:file=$out/bench-gc.log:uptime,tid" --warmup 3s --sockets "${SOCKETS:-1}" \
    --window "${WINDOW:-64}" --rate "$rate" >"$out/half.txt" &
bpid=$!
sleep 3.5 # the generator's start and its 3 s warm-up
gen=$(pgrep -n -f "bench udp --target 127.0.0.1:$udp" || true)
printf 'tracker %s\ngenerator %s\n' "$pid" "${gen:-0}" >"$out/pids"
grep '^cpu' /proc/stat >"$out/stat-before"
threads "$pid" "$out/threads-before"
if [[ -n "$gen" ]]; then threads "$gen" "$out/gen-threads-before"; fi
perf sched record -a -o "$out/sched.data" -- sleep "${PERF_S:-8}" 2>"$out/perf.err" >/dev/null
threads "$pid" "$out/threads-after"
if [[ -n "$gen" ]]; then threads "$gen" "$out/gen-threads-after"; fi
grep '^cpu' /proc/stat >"$out/stat-after"
wait "$bpid" || true
cat "$out/half.txt"
kill -TERM "$pid"; wait "$pid" || true
trap - EXIT
echo "tracker pid $pid, generator pid ${gen:-?}; steal (10 ms ticks) per CPU over the trace:"
paste "$out/stat-before" "$out/stat-after" | awk '{ n = NF / 2; print $1, $(n + 9) - $9 }'
echo "thread CPU over the trace (ticks of 10 ms), tracker:"
join <(sort "$out/threads-before") <(sort "$out/threads-after") | awk '{ d = $5 - $3; if (d > 0) print d, $2 }' \
    | sort -rn | head -12
if [[ -n "$gen" ]]; then
  echo "generator:"
  join <(sort "$out/gen-threads-before") <(sort "$out/gen-threads-after") \
      | awk '{ d = $5 - $3; if (d > 0) print d, $2 }' | sort -rn | head -6
fi
