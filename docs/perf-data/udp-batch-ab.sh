#!/usr/bin/env bash
# udp.batch-size A/B on one build: a fresh tracker per run (core 0, config/jvm.options, docs/perf-data/sg-w1.yaml
# with the port moved and batch-size set), `swarmgate bench udp` on core 1, both client shapes, interleaved.
# Usage: docs/perf-data/udp-batch-ab.sh [ROUNDS] [SECONDS] [SIZES]   (defaults 3, 10, "32 1"); JAR=..., PORT=...,
# RATE=70000 for an open loop at that rate (the p99 at a given load) instead of saturation; the p99 counts from
# when each request was due, the service p99 from when it left (without the generator's lateness in sending).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ROUNDS=${1:-3}; SECONDS_=${2:-10}; SIZES=${3:-"32 1"}
JAR=${JAR:-$ROOT/target/swarmgate.jar}; PORT=${PORT:-27070}
JAVA=${JAVA:-$(ls -d /usr/lib/jvm/temurin-2*/bin/java | tail -1)}
mapfile -t OPTS < <(grep -v '^\s*#' "$ROOT/config/jvm.options" | grep -v '^\s*$')
TMP=$(mktemp -d)
for round in $(seq "$ROUNDS"); do
  for shape in "16 4" "1 64"; do
    set -- $shape
    for b in $SIZES; do
      sed -e "s/port: 7070/port: $PORT\n  batch-size: $b/; s/port: 7071/port: $((PORT + 1))/" \
        "$ROOT/docs/perf-data/sg-w1.yaml" > "$TMP/sg.yaml"
      taskset -c 0 "$JAVA" "${OPTS[@]}" -jar "$JAR" --config "$TMP/sg.yaml" > "$TMP/tracker.log" 2>&1 &
      pid=$!
      for _ in $(seq 100); do grep -q 'UDP tracker listening' "$TMP/tracker.log" && break; sleep 0.1; done
      line=$(taskset -c 1 "$JAVA" -jar "$JAR" bench udp --target 127.0.0.1:$PORT --duration "${SECONDS_}s" \
        --warmup 5s --swarms 1000 --sockets "$1" --window "$2" ${RATE:+--rate $RATE} --tracker-pid $pid 2>&1 | grep '^BENCH')
      kill $pid; wait $pid 2>/dev/null || true
      rate=$(grep -oP 'rate=\K[0-9]+' <<< "$line"); cores=$(grep -oP 'tracker_cores=\K[0-9.]+' <<< "$line")
      p99=$(grep -oP ' p99_us=\K[0-9]+' <<< "$line"); gen=$(grep -oP 'bench_cores=\K[0-9.]+' <<< "$line")
      us=$(awk -v c="$cores" -v r="$rate" 'BEGIN { printf "%.2f", c * 1e6 / r }')
      lag=$(grep -oP ' send_lag_p99_us=\K[0-9a-zA-Z.]+' <<< "$line" | head -1)
      svc=$(grep -oP ' service_p99_us=\K[0-9a-zA-Z.]+' <<< "$line" | head -1)
      echo "round $round ${1}x$2 batch-size $b: $rate/s send_lag_p99_us=$lag service_p99_us=$svc tracker_cores=$cores generator_cores=$gen p99_us=$p99 tracker_us_per_announce=$us"
    done
  done
done | tee "$TMP/out.txt"
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
for shape in 16x4 1x64; do
  for b in $SIZES; do
    runs=$(grep " $shape batch-size $b:" "$TMP/out.txt")
    rate=$(grep -oP ': \K[0-9]+(?=/s)' <<< "$runs" | median)
    us=$(grep -oP 'tracker_us_per_announce=\K[0-9.]+' <<< "$runs" | median)
    p99=$(grep -oP ' p99_us=\K[0-9]+' <<< "$runs" | median)
    svc=$(grep -oP ' service_p99_us=\K[0-9]+' <<< "$runs" | median)
    echo "median $shape batch-size $b: $rate/s, $us us of tracker CPU per announce, p99 $p99 us (service p99 $svc us)"
  done
done
rm -rf "$TMP"
