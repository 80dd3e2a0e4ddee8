#!/bin/bash
# Interleaved A/B of two swarmgate builds on HTTP announces, keep-alive and one connection per request.
#   docs/perf-data/ab-http.sh OLD_DIR NEW_DIR [ROUNDS] [SECONDS]
# OLD_DIR / NEW_DIR each hold a swarmgate.jar with its libs/ (copy target/swarmgate.jar and target/libs of each
# build). Tracker pinned to core 0 with config/jvm.options, `swarmgate bench http` (16 connections) to core 1.
# Ports 35070/35071. Prints one line per run: build, mode, answers/s, p99, tracker cores.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OLD=$1 NEW=$2 ROUNDS=${3:-3} SECS=${4:-10}
J=${JAVA:-$(ls -d /usr/lib/jvm/temurin-2*/bin/java | tail -1)}
WORK=$(mktemp -d /tmp/swarmgate-ab-http.XXXXXX)
sed 's/7071/35071/;s/7070/35070/' "$ROOT/docs/perf-data/sg-w1.yaml" > "$WORK/sg.yaml"
mapfile -t OPTS < <(grep -v '^\s*#' "$ROOT/config/jvm.options" | grep -v '^\s*$')
for r in $(seq 1 "$ROUNDS"); do
  for v in old new; do
    dir=$OLD; [ $v = new ] && dir=$NEW
    taskset -c 0 "$J" "${OPTS[@]}" -jar "$dir/swarmgate.jar" --config "$WORK/sg.yaml" > "$WORK/tr-$v.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 300); do grep -q "swarmgate started" "$WORK/tr-$v.log" && break; sleep 0.1; done
    for mode in --keep-alive --close; do
      flag=$mode; [ $mode = --close ] && flag=
      line=$(taskset -c 1 "$J" -jar "$NEW/swarmgate.jar" bench http --target 127.0.0.1:35071 --duration "${SECS}s" \
          --warmup 3s --sockets 16 --window 1 $flag --tracker-pid $pid 2>&1 | grep "^BENCH" || true)
      echo "round $r $v ${mode#--} $(echo "$line" | grep -o ' rate=[0-9]*\| p99_us=[0-9]*\| tracker_cores=[0-9.]*\| timeouts=[0-9]*' | tr -d '\n')"
    done
    kill $pid; wait $pid 2>/dev/null || true
  done
done
