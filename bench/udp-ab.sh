#!/usr/bin/env bash
# Interleaved A/B of `swarmgate bench udp` for two tracker jars (e.g. before/after a UDP-path change).
# usage: bench/udp-ab.sh A/swarmgate.jar B/swarmgate.jar [rounds] [port]
# Each jar needs its libs/ beside it: copy target/swarmgate.jar and target/libs of each build into a folder.
# The tracker is pinned to core 0, the load generator (always jar B's bench) to core 1; each round runs A then B
# on a fresh tracker, 10 s each. Prints every run's line and the medians.
set -euo pipefail
A=$1 B=$2 ROUNDS=${3:-3} PORT=${4:-31070}
CFG=$(mktemp --suffix=.yaml)
sed -e "s/port: 7071/port: $((PORT + 1))/" -e "s/port: 7070/port: $PORT/" "$(dirname "$0")/../docs/perf-data/sg-w1.yaml" > "$CFG"
run() {
  local jar=$1
  taskset -c 0 java -jar "$jar" --config "$CFG" > /dev/null 2>&1 &
  local pid=$!
  for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/$((PORT + 1))) 2>/dev/null && break; sleep 0.1; done
  taskset -c 1 java -jar "$B" bench udp --target 127.0.0.1:$PORT --duration 10s --sockets 1 --window 64 2>&1 \
    | grep '^BENCH' | grep -o 'rate=[0-9]*' | cut -d= -f2
  kill "$pid"; wait "$pid" 2>/dev/null || true
}
RA=() RB=()
for r in $(seq 1 "$ROUNDS"); do
  a=$(run "$A"); RA+=("$a"); echo "A round $r: $a announces/s"
  b=$(run "$B"); RB+=("$b"); echo "B round $r: $b announces/s"
done
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
ma=$(median "${RA[@]}") mb=$(median "${RB[@]}")
echo "median A $ma, B $mb announces/s; B/A $(awk -v a="$ma" -v b="$mb" 'BEGIN {printf "%.3f", b / a}')"
rm -f "$CFG"
