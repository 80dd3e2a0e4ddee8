#!/bin/bash
# docs/perf-data/http-ab.sh ROUNDS SECONDS DIR_A DIR_B [1]: two swarmgate builds (each DIR holds swarmgate.jar and
# libs/, e.g. copies of target/) and the trivial Helidon route (from DIR_A), side by side on ports 24001/24011/24021,
# pinned to core 0, wrk -t1 -c64 on core 1, keep-alive (or Connection: close with a fifth argument 1), a 15 s
# warm-up each, then ROUNDS rounds in rotating order. Prints per round each one's rate, CPU% and CPU per request
# (utime+stime over requests: the figure to compare on a loaded machine, where the tracker core is not saturated).
set -euo pipefail
ROUNDS=$1 SECS=$2 A=$3 B=$4 CLOSE=${5:-0}
J=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
W=$(mktemp -d /tmp/swarmgate-ab.XXXXXX)
mapfile -t JVM < <(grep -v '^\s*#' $ROOT/config/jvm.options | grep -v '^\s*$')
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
$J -jar $A/swarmgate.jar bench --write-infohashes $W/hashes.txt --swarms 1000 >/dev/null
sed -n '/^cat > "\$WORK\/announce.lua"/,/^LUA$/p' $ROOT/bench/compare-opentracker.sh | sed '1d;$d' > $W/announce.lua
start_sg() { # name dir port
  cat > $W/$1.yaml <<YAML
http: {host: 127.0.0.1, port: $3}
udp: {host: 127.0.0.1, port: $(( $3 + 1 )), workers: 1, connection-id-secret: compare-opentracker-secret-0123}
metrics: {enabled: false}
YAML
  taskset -c 0 $J "${JVM[@]}" ${EXTRA_OPTS:-} -jar $2/swarmgate.jar --config $W/$1.yaml > $W/$1.log 2>&1 &
  PIDS+=($!); eval "PID_$1=$!"
}
start_sg a $A 24001; start_sg b $B 24011
taskset -c 0 $J "${JVM[@]}" -jar $A/swarmgate.jar bench floor-server --port 24021 > $W/floor.log 2>&1 &
PIDS+=($!); PID_f=$!
declare -A PORT=([a]=24001 [b]=24011 [f]=24021)
for p in 24001 24011 24021; do for _ in $(seq 100); do (echo > /dev/tcp/127.0.0.1/$p) 2>/dev/null && break; sleep 0.2; done; done
ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' /proc/$1/stat; }
run() { # name secs
  local pid=PID_$1 t0 t1 r
  t0=$(ticks ${!pid})
  r=$(CLOSE=$CLOSE HASHES=$W/hashes.txt taskset -c 1 wrk -t1 -c64 -d${2}s -s $W/announce.lua http://127.0.0.1:${PORT[$1]}/ | awk '/^Requests\/sec/{print int($2)} /Non-2xx/{print "BAD", $0 > "/dev/stderr"}')
  t1=$(ticks ${!pid})
  echo "$r $(( (t1 - t0) / $2 ))"
}
for t in f a b; do run $t 15 >/dev/null; done
echo "load $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq $ROUNDS); do
  case $((r % 3)) in 1) o="f a b";; 2) o="a b f";; 0) o="b f a";; esac
  declare -A R=()
  for t in $o; do read -r rate cpu < <(run $t $SECS); R[$t]=$rate; R[$t.c]=$cpu; done
  us() { awk "BEGIN{printf \"%.2f\", ${R[$1.c]} * 10000 / ${R[$1]}}"; }
  echo "round $r us/req floor $(us f) A $(us a) B $(us b) B/A-cpu $(awk "BEGIN{printf \"%.3f\", ($(us b))/($(us a))}")"
  echo "round $r floor ${R[f]} (${R[f.c]}%) A ${R[a]} (${R[a.c]}%) B ${R[b]} (${R[b.c]}%) A/f $(awk "BEGIN{printf \"%.3f\", ${R[a]}/${R[f]}}") B/f $(awk "BEGIN{printf \"%.3f\", ${R[b]}/${R[f]}}") B/A $(awk "BEGIN{printf \"%.3f\", ${R[b]}/${R[a]}}") load $(cut -d' ' -f1 /proc/loadavg)"
done
