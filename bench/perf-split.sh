#!/bin/bash
# Where a UDP announce's CPU goes: kernel against user space, and the top symbols, for swarmgate or opentracker
# under `swarmgate bench udp` (16 sockets x 4 in flight, 1,000 swarms), tracker on core 0, load on core 1.
#   bench/perf-split.sh swarmgate|opentracker [seconds-to-record]
# Ports: PORT (HTTP, default 35601) and PORT+1 (UDP).
# Needs perf (apt-get install linux-perf) and, for opentracker, Debian's opentracker (whitelist-only build).
set -euo pipefail
WHICH=${1:?swarmgate or opentracker}; SECONDS_REC=${2:-10}
ROOT=$(cd "$(dirname "$0")/.." && pwd); JAR=$ROOT/target/swarmgate.jar
WORK=$(mktemp -d); chmod 755 "$WORK"; PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT
HTTP_PORT=${PORT:-35601}; UDP_PORT=$((HTTP_PORT + 1))
wait_port() { for _ in $(seq 1 100); do (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.2; done; exit 1; }
taskset -c 1 java -jar "$JAR" bench --write-infohashes "$WORK/ot-whitelist.txt" --swarms 1000 >/dev/null
chmod 644 "$WORK/ot-whitelist.txt"
if [ "$WHICH" = opentracker ]; then
  taskset -c 0 opentracker -i 127.0.0.1 -p $HTTP_PORT -P $UDP_PORT -d "$WORK" -w ot-whitelist.txt >"$WORK/t.log" 2>&1 &
  PIDS+=($!); TPID=$!
else
  mapfile -t JVM_OPTS < <(grep -v '^\s*#' "$ROOT/config/jvm.options" | grep -v '^\s*$')
  cat > "$WORK/sg.yaml" <<YAML
http: {host: 127.0.0.1, port: $HTTP_PORT}
udp: {host: 127.0.0.1, port: $UDP_PORT, workers: 1, connection-id-secret: perf-split-secret-0123456789}
metrics: {enabled: false}
YAML
  # frame pointers and a perf map, so perf names the JIT-compiled methods
  taskset -c 0 java "${JVM_OPTS[@]}" -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit -XX:+PreserveFramePointer \
    -jar "$JAR" --config "$WORK/sg.yaml" >"$WORK/t.log" 2>&1 &
  PIDS+=($!)
fi
wait_port $HTTP_PORT
[ "$WHICH" = opentracker ] || TPID=$(pgrep -P "${PIDS[-1]}" java || echo "${PIDS[-1]}")
taskset -c 1 java -jar "$JAR" bench udp --target 127.0.0.1:$UDP_PORT --duration $((SECONDS_REC + 25))s --warmup 2s \
  --sockets 16 --window 4 --swarms 1000 --tracker-pid "$TPID" 2>/dev/null | grep '^BENCH' >"$WORK/bench.txt" &
BPID=$!
sleep 20
perf record -F 999 -g -p "$TPID" -o "$WORK/perf.data" -- sleep "$SECONDS_REC" 2>/dev/null
wait $BPID; cat "$WORK/bench.txt"
kill "$TPID"; sleep 1
perf report -i "$WORK/perf.data" --no-children --sort dso --stdio -g none 2>/dev/null | grep -v '^#' | grep . | head -8
perf report -i "$WORK/perf.data" --no-children --sort sym --stdio -g none 2>/dev/null | grep -v '^#' | grep . | head -30
