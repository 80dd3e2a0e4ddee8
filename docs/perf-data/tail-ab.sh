#!/usr/bin/env bash
# Tail latency at half of peak, two builds interleaved (docs/performance.md "UDP p99 at half of peak", README
# "accounting"): per round and build, one tracker (config/jvm.options of that build, docs/perf-data/sg-w1.yaml,
# one UDP worker) on core 0 runs
#   sat16x4   bench udp --sockets 16 --window 4, closed loop (the peak; also the JIT's warm-up)
#   half16x4  the same, open loop at RATE (default 55000/s, about half of the peak)
#   half1x64  --sockets 1 --window 64, open loop at RATE
# then a fresh tracker without and one with the accounting posthook (docs/perf-data/sg-w1-accounting-*.yaml),
# open loop at ACC_RATE (default 50000/s) after WARMUP (15s: the hook's first flush is outside the window):
#   acc-off, acc-on
# The load generator (always BENCH_JAR, default B's, so both trackers meet the same generator) is on core 1,
# PostgreSQL too (PG_CPU, default 1; its backends inherit it). Each round holds /tmp/swarmgate-bench.lock
# (NOLOCK=1: not). Prints every BENCH run as one line and, at the end, per build and case the medians of p99
# (and p50, p999, the generator's send lag: how late its requests left, which is part of the p99; tracker and
# bench cores), each round's p99, and the load averages. Quiet means nothing else running: this
# machine's scheduler groups processes by session (sched_autogroup_enabled=1), so another session's
# `nice -n 19` build still gets an equal share of a core, and the tail then measures that build.
#   A=/tmp/tail-before B=target ROUNDS=3 PG_DIR=/tmp/tail-pg docs/perf-data/tail-ab.sh
# A and B are folders with swarmgate.jar, libs/ and jvm.options (B=target uses config/jvm.options).
# CASES="sat16x4 half16x4 half1x64 acc-off acc-on" picks cases; without PG_DIR (and no PostgreSQL on PG_PORT)
# the acc-* cases are skipped; PG_DOWN=1 runs them anyway against nothing on PG_PORT (the database down: rows
# aggregate, every flush fails and retries, the hook's cost without PostgreSQL's CPU on the machine).
# Ports: UDP_PORT (22070), HTTP_PORT (22071), PG_PORT (22432).
# TRACKER_OPTS adds JVM options to every tracker (e.g. -Xlog:gc:file=/tmp/gc-%p.log).
set -euo pipefail
cd "$(dirname "$0")/../.."
JAVA=${JAVA:-$(ls -d /usr/lib/jvm/temurin-2*/bin/java | tail -1)}
A=${A:-/tmp/tail-before}
B=${B:-target}
rounds=${ROUNDS:-3}
rate=${RATE:-55000}
acc_rate=${ACC_RATE:-50000}
udp=${UDP_PORT:-22070}
http=${HTTP_PORT:-22071}
pg=${PG_PORT:-22432}
cases=${CASES:-sat16x4 half16x4 half1x64 acc-off acc-on}
tmp=$(mktemp -d)
out=$tmp/runs.txt
cleanup() {
  if [[ -n "${PG_DIR:-}" ]]; then docs/perf-data/pg-bench-db.sh stop "$pg" "$PG_DIR" || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
if [[ -n "${PG_DIR:-}" ]]; then PG_CPU=${PG_CPU:-1} docs/perf-data/pg-bench-db.sh start "$pg" "$PG_DIR"; fi
bench_jar=${BENCH_JAR:-$B/swarmgate.jar}
opts() { # the JVM options file of a build folder
  if [[ -f "$1/jvm.options" ]]; then echo "$1/jvm.options"; else echo config/jvm.options; fi
}
for v in w1 w1-accounting-off w1-accounting-on; do
  sed -e "s/port: 7070/port: $udp/; s/port: 7071/port: $http/; s/21070/$udp/; s/21071/$http/; s/21432/$pg/" \
      "docs/perf-data/sg-$v.yaml" >"$tmp/$v.yaml"
done
have() { [[ " $cases " == *" $1 "* ]]; }
pid=
start() { # build config
  # shellcheck disable=SC2046 # one option per line, none with spaces
  taskset -c 0 "$JAVA" $(grep -v '^#' "$(opts "$1")") ${TRACKER_OPTS:-} -jar "$1/swarmgate.jar" \
      --config "$tmp/$2.yaml" >"$tmp/sg.log" 2>&1 &
  pid=$!
  # bounded: at most 30 s for the tracker to start (a loaded machine)
  for _ in $(seq 1 300); do grep -qs "swarmgate started" "$tmp/sg.log" && break; sleep 0.1; done
}
stop() { kill -TERM "$pid"; wait "$pid" || true; }
bench() { # name build bench-args...
  local name=$1 build=$2
  shift 2
  local line
  line=$(taskset -c 1 "$JAVA" -jar "$bench_jar" bench udp --target "127.0.0.1:$udp" --duration 10s \
      --tracker-pid "$pid" "$@" 2>&1 | grep "^BENCH" || true)
  echo "$build $name load=$(cut -d' ' -f1 /proc/loadavg) $line" | tee -a "$out"
}
for r in $(seq 1 "$rounds"); do
  if [[ -z "${NOLOCK:-}" ]]; then exec 9>/tmp/swarmgate-bench.lock; flock 9; fi
  for build in A B; do
    dir=${!build}
    if have sat16x4 || have half16x4 || have half1x64; then
      start "$dir" w1
      bench sat16x4 "$build" --warmup 5s --sockets 16 --window 4
      if have half16x4; then bench half16x4 "$build" --warmup 3s --sockets 16 --window 4 --rate "$rate"; fi
      if have half1x64; then bench half1x64 "$build" --warmup 3s --sockets 1 --window 64 --rate "$rate"; fi
      stop
    fi
    if [[ -n "${PG_DIR:-}" || -n "${PG_DOWN:-}" ]] || (exec 3<>"/dev/tcp/127.0.0.1/$pg") 2>/dev/null; then
      for v in off on; do
        if have "acc-$v"; then
          start "$dir" "w1-accounting-$v"
          bench "acc-$v" "$build" --warmup "${WARMUP:-15s}" --sockets 1 --window 64 --rate "$acc_rate"
          stop
        fi
      done
    fi
  done
  if [[ -z "${NOLOCK:-}" ]]; then flock -u 9; fi
done
echo "medians over $rounds round(s) (A=$A B=$B, RATE=$rate, ACC_RATE=$acc_rate):"
awk '
  { key = $1 " " $2; n[key]++; split($3, l, "="); load[key] = load[key] " " l[2]
    for (i = 4; i <= NF; i++) { split($i, kv, "="); v[key, kv[1], n[key]] = kv[2] }
    p99s[key] = p99s[key] " " sprintf("%.1f", v[key, "p99_us", n[key]] / 1000) }
  function med(key, f,   a, i, j, t, m) {
    m = n[key]; for (i = 1; i <= m; i++) a[i] = v[key, f, i] + 0
    for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2 }
  END { for (key in n) printf "%-14s rate %7.0f/s p50 %5.0f us p99 %6.0f us p999 %6.0f us send-lag p99 %6.0f us tracker %.2f bench %.2f timeouts %d; p99 per round (ms):%s (load%s)\n",
        key, med(key, "rate"), med(key, "p50_us"), med(key, "p99_us"), med(key, "p999_us"),
        med(key, "send_lag_p99_us"), med(key, "tracker_cores"), med(key, "bench_cores"), med(key, "timeouts"),
        p99s[key], load[key] }' "$out" | sort -k2,2 -k1,1
