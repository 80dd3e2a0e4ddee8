#!/usr/bin/env bash
# The tracker's own share of the UDP latency at a fixed load: swarmgate_requests_seconds (with
# udp.arrival-timestamps it counts from the kernel's arrival timestamp of each datagram, so time queued in the
# socket counts) read before and
# after a measured `swarmgate bench udp --rate` run, beside the bench's end-to-end p99 of the same run.
# A fresh tracker per run on core 0 (config/jvm.options, docs/perf-data/sg-w1.yaml with metrics on, as shipped),
# the bench on core 1: first an unmeasured warm-up run at the same rate, then the measured one (the histogram's
# difference covers that run's own 5 s warm-up too). Both client shapes,
# interleaved. Usage: docs/perf-data/udp-queue-p99.sh [ROUNDS] [SECONDS] [RATE]   (defaults 3, 10, 85000);
# JAR=..., PORT=... (UDP; HTTP +1, metrics +2), WARMUP=8 (s), SHAPES="16x4 1x64" (sockets x window).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ROUNDS=${1:-3}; SECONDS_=${2:-10}; RATE=${3:-85000}; WARMUP=${WARMUP:-8}; SHAPES=${SHAPES:-"16x4 1x64"}
JAR=${JAR:-$ROOT/target/swarmgate.jar}; PORT=${PORT:-27170}
JAVA=${JAVA:-$(ls -d /usr/lib/jvm/temurin-2*/bin/java | tail -1)}
mapfile -t OPTS < <(grep -v '^\s*#' "$ROOT/config/jvm.options" | grep -v '^\s*$')
TMP=$(mktemp -d)
# announce buckets of the UDP frontend, summed over address families and results: "le count" lines
buckets() {
  curl -s "http://127.0.0.1:$((PORT + 2))/metrics" \
    | grep '^swarmgate_requests_seconds_bucket{' | grep 'frontend="udp"' | grep 'action="announce"' \
    | sed -E 's/.*le="([^"]+)".* ([0-9.eE+]+)$/\1 \2/' \
    | awk '{ c[$1] += $2 } END { for (le in c) print le, c[le] }' | sort -g
}
# quantile q from cumulative bucket deltas (linear within a bucket, as histogram_quantile), in µs; and shares
quantiles() {
  join <(sort -k1,1 "$1") <(sort -k1,1 "$2") | awk '{ print $1, $3 - $2 }' | sort -g | awk '
    { le[NR] = $1; n[NR] = $2 } END {
      total = n[NR]
      for (qi = 1; qi <= 3; qi++) {
        q = qi == 1 ? 0.5 : qi == 2 ? 0.99 : 0.999; want = q * total; lo = 0; below = 0
        for (i = 1; i <= NR; i++) {
          if (n[i] >= want) { hi = le[i]; v = hi == "+Inf" ? lo : lo + (hi - lo) * (want - below) / (n[i] - below); break }
          lo = le[i]; below = n[i]
        }
        printf "tracker_p%s_us=%.0f ", (qi == 1 ? "50" : qi == 2 ? "99" : "999"), v * 1e6
      }
      for (i = 1; i <= NR; i++) if (le[i] == "0.001" || le[i] == "0.002") printf "within_%sms=%.4f ", le[i] * 1000, n[i] / total
      printf "answers=%d\n", total
    }'
}
for round in $(seq "$ROUNDS"); do
  for shape in $SHAPES; do
    set -- ${shape/x/ }
    sed -e "s/port: 7070/port: $PORT\n  arrival-timestamps: true/; s/port: 7071/port: $((PORT + 1))/; s/enabled: false/enabled: true\n  host: 127.0.0.1\n  port: $((PORT + 2))/" \
      "$ROOT/docs/perf-data/sg-w1.yaml" > "$TMP/sg.yaml"
    taskset -c 0 "$JAVA" "${OPTS[@]}" -jar "$JAR" --config "$TMP/sg.yaml" > "$TMP/tracker.log" 2>&1 &
    pid=$!
    for _ in $(seq 100); do grep -q 'UDP tracker listening' "$TMP/tracker.log" && break; sleep 0.1; done
    bench() {
      taskset -c 1 "$JAVA" -jar "$JAR" bench udp --target 127.0.0.1:$PORT --duration "$1" --warmup 5s --swarms 1000 \
        --sockets "$2" --window "$3" --rate "$RATE" --tracker-pid $pid 2>&1 | grep '^BENCH'
    }
    bench "${WARMUP}s" "$1" "$2" > /dev/null
    buckets > "$TMP/before"
    line=$(bench "${SECONDS_}s" "$1" "$2")
    buckets > "$TMP/after"
    kill $pid; wait $pid 2>/dev/null || true
    rate=$(grep -oP 'rate=\K[0-9]+' <<< "$line"); p99=$(grep -oP ' p99_us=\K[0-9]+' <<< "$line")
    svc=$(grep -oP ' service_p99_us=\K[0-9a-zA-Z.]+' <<< "$line" | head -1)
    cores=$(grep -oP 'tracker_cores=\K[0-9.]+' <<< "$line")
    echo "round $round ${1}x$2: $rate/s bench_p99_us=$p99 service_p99_us=$svc tracker_cores=$cores $(quantiles "$TMP/before" "$TMP/after")"
  done
done | tee "$TMP/out.txt"
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
for shape in $SHAPES; do
  runs=$(grep " $shape:" "$TMP/out.txt")
  echo "median $shape at $RATE/s: bench p99 $(grep -oP ' bench_p99_us=\K[0-9]+' <<< "$runs" | median) us," \
    "tracker p99 $(grep -oP 'tracker_p99_us=\K[0-9]+' <<< "$runs" | median) us," \
    "p99.9 $(grep -oP 'tracker_p999_us=\K[0-9]+' <<< "$runs" | median) us," \
    "within 2 ms $(grep -oP 'within_2ms=\K[0-9.]+' <<< "$runs" | median)"
done
rm -rf "$TMP"
