#!/usr/bin/env bash
# The load generator's own lateness, two generators interleaved against one tracker (docs/performance.md "The
# generator's send lag"): per round one tracker (TRACKER, a build folder with swarmgate.jar, libs/ and
# jvm.options; default target with config/jvm.options; docs/perf-data/sg-w1.yaml) on core 0, warmed by 5 s of
# saturated 16x4, then for each case (16x4 and 1x64 open loop at RATE, default 55000/s) generator A and then B
# (`bench udp` of GEN_A / GEN_B, build folders) on core 1, 10 s after 3 s of warm-up. Each round holds
# /tmp/swarmgate-bench.lock (NOLOCK=1: not). Ports: UDP_PORT (22170), UDP_PORT+1 (HTTP).
#   GEN_A=/tmp/gen-before GEN_B=target ROUNDS=3 docs/perf-data/gen-lag-ab.sh
# Prints every run, then per generator and case the medians of p99, send-lag p99 and p99 minus send-lag p99.
set -euo pipefail
cd "$(dirname "$0")/../.."
JAVA=${JAVA:-$(ls -d /usr/lib/jvm/temurin-2*/bin/java | tail -1)}
tracker=${TRACKER:-target} rounds=${ROUNDS:-3} rate=${RATE:-55000} udp=${UDP_PORT:-22170}
GEN_A=${GEN_A:?a build folder} GEN_B=${GEN_B:-target}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed -e "s/port: 7070/port: $udp/; s/port: 7071/port: $((udp + 1))/" docs/perf-data/sg-w1.yaml >"$tmp/sg.yaml"
opts=config/jvm.options
if [[ -f "$tracker/jvm.options" ]]; then opts=$tracker/jvm.options; fi
bench() { # name generator-folder args...
  local name=$1 gen=$2
  shift 2
  local line
  line=$(taskset -c 1 "$JAVA" -jar "$gen/swarmgate.jar" bench udp --target "127.0.0.1:$udp" --duration 10s \
      --tracker-pid "$pid" "$@" 2>&1 | grep "^BENCH" || true)
  echo "$name load=$(cut -d' ' -f1 /proc/loadavg) $line" | tee -a "$tmp/runs.txt"
}
for r in $(seq 1 "$rounds"); do
  if [[ -z "${NOLOCK:-}" ]]; then exec 9>/tmp/swarmgate-bench.lock; flock 9; fi
  # shellcheck disable=SC2046 # one option per line, none with spaces
  taskset -c 0 "$JAVA" $(grep -v '^#' "$opts") -jar "$tracker/swarmgate.jar" --config "$tmp/sg.yaml" >"$tmp/sg.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 300); do grep -qs "swarmgate started" "$tmp/sg.log" && break; sleep 0.1; done
  bench warm "$GEN_B" --warmup 5s --duration 5s --sockets 16 --window 4 >/dev/null
  for c in "16x4 16 4" "1x64 1 64"; do
    read -r name sockets window <<<"$c"
    bench "A-$name" "$GEN_A" --warmup 3s --sockets "$sockets" --window "$window" --rate "$rate"
    bench "B-$name" "$GEN_B" --warmup 3s --sockets "$sockets" --window "$window" --rate "$rate"
  done
  kill -TERM "$pid"; wait "$pid" || true
  if [[ -z "${NOLOCK:-}" ]]; then flock -u 9; fi
done
echo "medians over $rounds round(s) (GEN_A=$GEN_A GEN_B=$GEN_B TRACKER=$tracker RATE=$rate):"
grep -v '^warm' "$tmp/runs.txt" | awk '
  { key = $1; n[key]++
    for (i = 3; i <= NF; i++) { split($i, kv, "="); v[key, kv[1], n[key]] = kv[2] }
    v[key, "own", n[key]] = v[key, "p99_us", n[key]] - v[key, "send_lag_p99_us", n[key]] }
  function med(key, f,   a, i, j, t, m) {
    m = n[key]; for (i = 1; i <= m; i++) a[i] = v[key, f, i] + 0
    for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2 }
  END { for (key in n) printf "%-7s rate %6.0f/s p50 %4.0f us p99 %5.0f us send-lag p99 %5.0f us p99-lag %5.0f us p999 %6.0f us tracker %.2f bench %.2f\n",
        key, med(key, "rate"), med(key, "p50_us"), med(key, "p99_us"), med(key, "send_lag_p99_us"), med(key, "own"),
        med(key, "p999_us"), med(key, "tracker_cores"), med(key, "bench_cores") }' | sort -k1.3,1 -k1,1
