#!/bin/bash
# Interleaved UDP announce throughput with and without the jwt prehook (issue target: with >= 0.8x without).
#   docs/perf-data/jwt-ab.sh [ROUNDS] [SECONDS] [ALG]
# Every simulated peer re-uses its swarm's token (one per swarm, as a registry signs one per layer), so the
# hook's verified-token cache is what is measured. Tracker pinned to core 0 with config/jvm.options, load
# generator (`swarmgate bench udp --jwt-key`, one socket, window 64) to core 1. Ports 35170/35171.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ROUNDS=${1:-3} SECS=${2:-10} ALG=${3:-EdDSA}
J=${JAVA:-$(ls -d /usr/lib/jvm/temurin-2*/bin/java | tail -1)}
JAR=$ROOT/target/swarmgate.jar
WORK=$(mktemp -d /tmp/swarmgate-jwt-ab.XXXXXX)
"$J" -jar "$JAR" keys generate --alg "$ALG" --kid bench --out "$WORK/keys" >/dev/null
base='http: {host: 127.0.0.1, port: 35171}
udp: {host: 127.0.0.1, port: 35170, workers: 1, connection-id-secret: "perf-test-secret-0123456789"}
metrics: {enabled: false}'
printf '%s\n' "$base" > "$WORK/off.yaml"
printf '%s\nprehooks:\n  - name: jwt\n    config:\n      issuer: swarmgate-bench\n      audience: swarmgate-bench\n      jwk-set-url: file://%s/keys/jwks.json\n' \
    "$base" "$WORK" > "$WORK/on.yaml"
mapfile -t OPTS < <(grep -v '^\s*#' "$ROOT/config/jvm.options" | grep -v '^\s*$')
for r in $(seq 1 "$ROUNDS"); do
  for v in off on; do
    taskset -c 0 "$J" "${OPTS[@]}" -jar "$JAR" --config "$WORK/$v.yaml" > "$WORK/tr-$v.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 300); do grep -q "swarmgate started" "$WORK/tr-$v.log" && break; sleep 0.1; done
    line=$(taskset -c 1 "$J" -jar "$JAR" bench udp --target 127.0.0.1:35170 --duration "${SECS}s" --warmup 3s \
        --sockets 1 --window 64 --jwt-key "$WORK/keys/bench.private.jwk.json" --tracker-pid $pid 2>&1 | grep "^BENCH" || true)
    echo "round $r jwt=$v $(echo "$line" | grep -o ' rate=[0-9]*\| p99_us=[0-9]*\| tracker_cores=[0-9.]*\| failures=[0-9]*\| timeouts=[0-9]*' | tr -d '\n')"
    kill $pid; wait $pid 2>/dev/null || true
  done
done
