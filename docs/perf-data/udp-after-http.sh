#!/bin/bash
# UDP rate before and after HTTP connection-per-request load on one fresh tracker (does HTTP traffic slow UDP?).
# Usage: SEQ="u u h u u" docs/perf-data/udp-after-http.sh   (u: bench udp 16x4 10 s, h: wrk close 15 s, k: wrk keep-alive)
# JAR=... (default target/swarmgate.jar); tracker on core 0 with config/jvm.options, load on core 1; ports 36001-36002.
set -u
JAR=${JAR:-$(cd "$(dirname "$0")/../.." && pwd)/target/swarmgate.jar}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
mapfile -t JVM_OPTS < <(grep -v '^\s*#' $ROOT/config/jvm.options | grep -v '^\s*$')
W=$(mktemp -d)
cat > $W/sg.yaml <<YAML
http: {host: 127.0.0.1, port: 36001}
udp: {host: 127.0.0.1, port: 36002, workers: 1, connection-id-secret: mix-secret-0123456789abcdef}
metrics: {enabled: false}
YAML
taskset -c 1 java -jar $JAR bench --write-infohashes $W/wl.txt --swarms 1000 >/dev/null
sed -n '/^cat > "\$WORK\/announce.lua"/,/^LUA/p' $ROOT/bench/compare-opentracker.sh | sed '1d;$d' > $W/announce.lua
taskset -c 0 java "${JVM_OPTS[@]}" -jar $JAR --config $W/sg.yaml > $W/log 2>&1 &
P=$!
for _ in $(seq 1 100); do (echo > /dev/tcp/127.0.0.1/36001) 2>/dev/null && break; sleep 0.2; done
PID=$(pgrep -P $P java || echo $P)
udp() { taskset -c 1 java -jar $JAR bench udp --target 127.0.0.1:36002 --duration 10s --warmup 2s --sockets 16 --window 4 --swarms 1000 --tracker-pid $PID 2>/dev/null | grep '^BENCH' | tr ' ' '\n' | awk -F= '$1=="rate"{r=$2} $1=="tracker_cores"{t=$2} END{printf "udp %d/s %.2f us/announce\n", r, t*1e6/r}'; }
http() { CLOSE=${1} HASHES=$W/wl.txt taskset -c 1 wrk -t1 -c64 -d15s -s $W/announce.lua http://127.0.0.1:36001/ | grep Requests/sec | sed "s/^/http close=$1 /"; }
for s in ${SEQ:-u u h u u}; do case $s in u) udp;; h) http 1;; k) http 0;; esac; done
kill $P; wait $P 2>/dev/null; rm -rf $W
