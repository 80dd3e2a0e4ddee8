#!/bin/bash
# Interleaved UDP announce throughput with and without the jwt prehook (issue 10 target: with >= 0.8x without).
#   docs/perf-data/jwt-ab.sh [ROUNDS] [SECONDS] [ALG]
# Every simulated peer re-uses its swarm's token (one per swarm, as a registry signs one per layer), so the
# hook's verified-token cache is what is measured. Tracker pinned to core 0 with config/jvm.options, load
# generator (`swarmgate bench udp --jwt-key`, SOCKETS x WINDOW, default 16 x 4 as in compare-opentracker.sh)
# to core 1. Each round (off, then on, fresh trackers) holds /tmp/swarmgate-bench.lock (NOLOCK=1: not).
# Ports: PORT (UDP, default 35170) and PORT+1 (HTTP). Prints every run, then the medians; the last line is
#   jwt on/off R.RRx (per busy tracker core R.RRx: a tracker short of its core on a shared machine)
# A quiet machine's figure: docs/perf-data/jwt-ab.sh 5 15 (nothing else running).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ROUNDS=${1:-3} SECS=${2:-10} ALG=${3:-EdDSA}
PORT=${PORT:-35170} SOCKETS=${SOCKETS:-16} WINDOW=${WINDOW:-4}
J=${JAVA:-$(ls -d /usr/lib/jvm/temurin-2*/bin/java | tail -1)}
JAR=$ROOT/target/swarmgate.jar
WORK=$(mktemp -d /tmp/swarmgate-jwt-ab.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
"$J" -jar "$JAR" keys generate --alg "$ALG" --kid bench --out "$WORK/keys" >/dev/null
base="http: {host: 127.0.0.1, port: $((PORT + 1))}
udp: {host: 127.0.0.1, port: $PORT, workers: 1, connection-id-secret: \"perf-test-secret-0123456789\"}
metrics: {enabled: false}"
printf '%s\n' "$base" > "$WORK/off.yaml"
printf '%s\nprehooks:\n  - name: jwt\n    config:\n      issuer: swarmgate-bench\n      audience: swarmgate-bench\n      jwk-set-url: file://%s/keys/jwks.json\n' \
    "$base" "$WORK" > "$WORK/on.yaml"
mapfile -t OPTS < <(grep -v '^\s*#' "$ROOT/config/jvm.options" | grep -v '^\s*$')
for r in $(seq 1 "$ROUNDS"); do
  if [[ -z "${NOLOCK:-}" ]]; then exec 9>/tmp/swarmgate-bench.lock; flock 9; fi
  for v in off on; do
    taskset -c 0 "$J" "${OPTS[@]}" -jar "$JAR" --config "$WORK/$v.yaml" > "$WORK/tr-$v.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 300); do grep -q "swarmgate started" "$WORK/tr-$v.log" && break; sleep 0.1; done
    line=$(taskset -c 1 "$J" -jar "$JAR" bench udp --target "127.0.0.1:$PORT" --duration "${SECS}s" --warmup 5s \
        --sockets "$SOCKETS" --window "$WINDOW" --jwt-key "$WORK/keys/bench.private.jwk.json" --tracker-pid $pid \
        2>&1 | grep "^BENCH" || true)
    echo "round $r jwt=$v load=$(cut -d' ' -f1 /proc/loadavg)$(echo "$line" | grep -o ' rate=[0-9]*\| p99_us=[0-9]*\| tracker_cores=[0-9.]*\| bench_cores=[0-9.]*\| failures=[0-9]*\| timeouts=[0-9]*' | tr -d '\n')" \
        | tee -a "$WORK/runs.txt"
    kill $pid; wait $pid 2>/dev/null || true
  done
  if [[ -z "${NOLOCK:-}" ]]; then flock -u 9; fi
done
awk '
  { v = $3; sub("jwt=", "", v); n[v]++
    for (i = 5; i <= NF; i++) { split($i, kv, "="); x[v, kv[1], n[v]] = kv[2] }
    c = x[v, "tracker_cores", n[v]]; x[v, "per_core", n[v]] = c > 0 ? x[v, "rate", n[v]] / c : 0 }
  function med(v, f,   a, i, j, t, m) {
    m = n[v]; for (i = 1; i <= m; i++) a[i] = x[v, f, i] + 0
    for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2 }
  END {
    for (v in n) printf "median jwt=%s rate %.0f/s (%.0f/s per busy tracker core) p99 %.0f us tracker %.2f bench %.2f failures %d\n",
        v, med(v, "rate"), med(v, "per_core"), med(v, "p99_us"), med(v, "tracker_cores"), med(v, "bench_cores"),
        med(v, "failures")
    printf "jwt on/off %.2fx (per busy tracker core %.2fx)\n", med("on", "rate") / med("off", "rate"),
        med("on", "per_core") / med("off", "per_core") }' "$WORK/runs.txt"
