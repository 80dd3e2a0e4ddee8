#!/usr/bin/env bash
# Interleaved A/B of `swarmgate bench udp` for two tracker jars (e.g. before/after a UDP-path change).
# usage: bench/udp-ab.sh A/swarmgate.jar B/swarmgate.jar [rounds] [port]
# Each jar needs its libs/ beside it: copy target/swarmgate.jar and target/libs of each build into a folder.
# The tracker is pinned to core 0, the load generator (always jar B's bench) to core 1; each round runs A then B
# on a fresh tracker, 10 s each. Prints every run's rate and the tracker's CPU per announce (its CPU time over
# the run divided by the announces: on a shared machine a tracker short of its core still shows what each
# announce cost), then the medians of both.
# GROW=N runs N unmeasured 10 s loads first on each fresh tracker (every run adds its peers, random ids: about
# 50,000), to measure grown swarms; SOCKETS and WINDOW set the client shape (default 1 x 64).
set -euo pipefail
A=$1 B=$2 ROUNDS=${3:-3} PORT=${4:-31070}
JAVA=${JAVA:-$(ls -d /usr/lib/jvm/temurin-2*/bin/java | tail -1)}
CFG=$(mktemp --suffix=.yaml)
sed -e "s/port: 7071/port: $((PORT + 1))/" -e "s/port: 7070/port: $PORT/" "$(dirname "$0")/../docs/perf-data/sg-w1.yaml" > "$CFG"
run() {
  local jar=$1
  taskset -c 0 "$JAVA" -jar "$jar" --config "$CFG" > /dev/null 2>&1 &
  local pid=$!
  for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/$((PORT + 1))) 2>/dev/null && break; sleep 0.1; done
  for _ in $(seq 1 "${GROW:-0}"); do
    taskset -c 1 "$JAVA" -jar "$B" bench udp --target 127.0.0.1:$PORT --duration 10s --sockets "${SOCKETS:-1}" \
      --window "${WINDOW:-64}" > /dev/null 2>&1
  done
  # prints "RATE CPU_US_PER_ANNOUNCE"
  taskset -c 1 "$JAVA" -jar "$B" bench udp --target 127.0.0.1:$PORT --duration 10s --sockets "${SOCKETS:-1}" \
    --window "${WINDOW:-64}" \
    --tracker-pid "$pid" 2>&1 | grep '^BENCH' \
    | awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
             printf "%d %.2f\n", v["rate"], (v["rate"] > 0 ? v["tracker_cores"] * 1e6 / v["rate"] : 0) }'
  kill "$pid"; wait "$pid" 2>/dev/null || true
}
RA=() RB=() CA=() CB=()
for r in $(seq 1 "$ROUNDS"); do
  read -r a ca <<<"$(run "$A")"; RA+=("$a"); CA+=("$ca"); echo "A round $r: $a announces/s, $ca us of tracker CPU each"
  read -r b cb <<<"$(run "$B")"; RB+=("$b"); CB+=("$cb"); echo "B round $r: $b announces/s, $cb us of tracker CPU each"
done
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
ma=$(median "${RA[@]}") mb=$(median "${RB[@]}") mca=$(median "${CA[@]}") mcb=$(median "${CB[@]}")
echo "median A $ma, B $mb announces/s; B/A $(awk -v a="$ma" -v b="$mb" 'BEGIN {printf "%.3f", b / a}');" \
  "tracker CPU per announce A $mca us, B $mcb us; B/A $(awk -v a="$mca" -v b="$mcb" 'BEGIN {printf "%.3f", b / a}')"
rm -f "$CFG"
