#!/usr/bin/env bash
# Soak benchmark (a leak check, not a speed figure; issue 12): announces on both frontends for N minutes, in
# rounds of ROUND seconds. Every round is a fresh `swarmgate bench udp` and `swarmgate bench http` with new random
# peer ids and ports; after it all its peers are silent and must expire (peer-lifetime 20s, gc-interval 2s) before
# the next round starts. After each round's expiry (so always in the same state: no peers) it samples the tracker's heap after a full GC (jcmd GC.run + GC.heap_info), its
# thread and file-descriptor counts (/proc/PID), the live peers and swarmgate_gc_expired_peers_total (/metrics).
# The tracker runs with config/jvm.options (G1, -Xmx192m). At the end it prints a summary with a verdict:
#   heap / threads / fds: flat or growing (last third of the samples against the first third, warm-up skipped),
#   expiry: the expired-peer counter against the peers that went silent (sum of the live peers at round ends).
# usage: bench/soak.sh [--minutes 10] [--round 40] [--jar target/swarmgate.jar] [--port 32070] [--out FILE]
# The tracker runs on core 0, the load generators on core 1 (taskset). Ports: PORT (udp), PORT+1 (http),
# PORT+2 (metrics), all on 127.0.0.1.
set -euo pipefail
MINUTES=10 ROUND=40 JAR=target/swarmgate.jar PORT=32070 OUT=""
UDP_PEERS=2000 UDP_RATE=1500 HTTP_PEERS=300 HTTP_RATE=200 LIFETIME=20 GC=2
while [ $# -gt 0 ]; do
  case $1 in
    --minutes) MINUTES=$2; shift 2 ;;
    --round) ROUND=$2; shift 2 ;;
    --jar) JAR=$2; shift 2 ;;
    --port) PORT=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    *) echo "usage: $0 [--minutes N] [--round SECONDS] [--jar FILE] [--port P] [--out FILE]" >&2; exit 2 ;;
  esac
done
JAVA_HOME=${JAVA_HOME:-$(ls -d /usr/lib/jvm/temurin-2[5-9]* 2>/dev/null | head -1)}
JAVA=$JAVA_HOME/bin/java JCMD=$JAVA_HOME/bin/jcmd
UDP=$PORT HTTP=$((PORT + 1)) METRICS=$((PORT + 2))
WORK=$(mktemp -d)
CFG=$WORK/soak.yaml
cat > "$CFG" <<EOF
tracker:
  announce-interval: 10s
  min-announce-interval: 5s
http:
  host: 127.0.0.1
  port: $HTTP
udp:
  host: 127.0.0.1
  port: $UDP
  workers: 1
  connection-id-secret: "soak-test-secret-0123456789"
storage:
  peer-lifetime: ${LIFETIME}s
  gc-interval: ${GC}s
metrics:
  host: 127.0.0.1
  port: $METRICS
EOF
[ -n "$OUT" ] && exec > >(tee "$OUT")

JVM_OPTIONS=$(grep -v '^#' "$(dirname "$0")/../config/jvm.options" | tr '\n' ' ')
# shellcheck disable=SC2086
taskset -c 0 "$JAVA" $JVM_OPTIONS -jar "$JAR" --config "$CFG" > "$WORK/tracker.log" 2>&1 &
PID=$!
cleanup() { kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$METRICS/health/ready" > /dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$METRICS/health/ready" > /dev/null || { echo "tracker did not start"; cat "$WORK/tracker.log"; exit 1; }

metric() { # sum of a metric's samples (every label set)
  curl -sf "http://127.0.0.1:$METRICS/metrics" | awk -v m="$1" '$1 == m || index($1, m "{") == 1 {s += $NF} END {printf "%d", s}'
}
live() { echo $(( $(metric swarmgate_seeders) + $(metric swarmgate_leechers) )); }
heap_after_gc() { # KiB used after a full collection
  "$JCMD" "$PID" GC.run > /dev/null
  # every generation's "used" (G1 prints one line, Serial and Parallel one per generation), not Metaspace
  "$JCMD" "$PID" GC.heap_info | grep -v -i -E 'metaspace|class space' \
    | grep -o 'used [0-9]*K' | tr -dc '0-9\n' | awk '{s += $1} END {print s}'
}
sample() {
  local t=$1 heap threads fds
  heap=$(heap_after_gc)
  threads=$(awk '/^Threads:/ {print $2}' "/proc/$PID/status")
  fds=$(ls "/proc/$PID/fd" | wc -l)
  echo "$t $heap $threads $fds $(live) $(metric swarmgate_gc_expired_peers_total)" >> "$WORK/samples"
  printf '%6s s  heap after GC %7s KiB  threads %4s  fds %4s  live peers %6s  expired total %8s\n' \
    "$t" "$heap" "$threads" "$fds" "$(live)" "$(metric swarmgate_gc_expired_peers_total)"
}

echo "soak: $MINUTES min in rounds of $ROUND s of load, each followed by the expiry of its peers; per round $UDP_PEERS UDP peers at $UDP_RATE/s and $HTTP_PEERS HTTP peers at $HTTP_RATE/s (new connection per request)"
echo "soak: tracker pid $PID on core 0 (config/jvm.options), load on core 1; peer-lifetime ${LIFETIME}s, gc-interval ${GC}s; $(uptime | sed 's/.*load/load/')"
START=$(date +%s)
sample 0
SILENT=0 ANNOUNCES=0 ROUNDS=0 EXPECTED=0
while [ $(( $(date +%s) - START )) -lt $(( MINUTES * 60 )) ]; do
  ROUNDS=$(( ROUNDS + 1 ))
  taskset -c 1 "$JAVA" -jar "$JAR" bench udp --target "127.0.0.1:$UDP" --duration "${ROUND}s" --warmup 0s \
    --swarms 100 --peers "$UDP_PEERS" --sockets 2 --window 8 --rate "$UDP_RATE" > "$WORK/udp.out" 2>&1 &
  U=$!
  taskset -c 1 "$JAVA" -jar "$JAR" bench http --target "127.0.0.1:$HTTP" --duration "${ROUND}s" --warmup 0s \
    --swarms 100 --peers "$HTTP_PEERS" --sockets 2 --window 4 --rate "$HTTP_RATE" > "$WORK/http.out" 2>&1 &
  H=$!
  wait "$U" || { echo "udp bench failed"; cat "$WORK/udp.out"; exit 1; }
  wait "$H" || { echo "http bench failed"; cat "$WORK/http.out"; exit 1; }
  n=$(( $(grep -o ' announces=[0-9]*' "$WORK/udp.out" | tr -dc 0-9) + $(grep -o ' announces=[0-9]*' "$WORK/http.out" | tr -dc 0-9) ))
  ANNOUNCES=$(( ANNOUNCES + n )) EXPECTED=$(( EXPECTED + UDP_PEERS + HTTP_PEERS ))
  # every live peer is one of this round's (a peer is an address and port: two simulated peers that drew the
  # same port in one swarm are one), and from now on all of them are silent
  l=$(live)
  SILENT=$(( SILENT + l ))
  echo "round $ROUNDS: $n announces answered, $l live peers ($((UDP_PEERS + HTTP_PEERS)) simulated), now silent"
  # the next round starts once these have expired, so a new peer never takes an old one's address and port
  for _ in $(seq 1 $(( (LIFETIME + 3 * GC) * 5 ))); do [ "$(live)" -eq 0 ] && break; sleep 0.2; done
  sample $(( $(date +%s) - START ))
done
EXPIRED=$(metric swarmgate_gc_expired_peers_total)
LEFT=$(live)
ERRORS=$(grep -c -E 'WARN|SEVERE|ERROR|Exception' "$WORK/tracker.log" || true)

echo
echo "== soak summary: $ROUNDS rounds, $(( $(date +%s) - START )) s, $ANNOUNCES announces answered =="
awk -v expired="$EXPIRED" -v silent="$SILENT" -v left="$LEFT" -v expected="$EXPECTED" '
  { t[NR] = $1; heap[NR] = $2; thr[NR] = $3; fd[NR] = $4 }
  function med(a, from, to,   n, i, j, v, x) {
    n = 0; for (i = from; i <= to; i++) v[++n] = a[i]
    for (i = 2; i <= n; i++) { x = v[i]; for (j = i - 1; j >= 1 && v[j] > x; j--) v[j + 1] = v[j]; v[j + 1] = x }
    return (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  function mx(a, from, to,   i, m) { m = a[from]; for (i = from; i <= to; i++) if (a[i] > m) m = a[i]; return m }
  END {
    # the first two samples (before load, first round) are warm-up: class loading, JIT, first swarms
    first = 3; n = NR; third = int((n - first + 1) / 3); if (third < 1) third = 1
    a1 = first; a2 = first + third - 1; b1 = n - third + 1; b2 = n
    h1 = med(heap, a1, a2); h2 = med(heap, b1, b2)
    hv = (h2 <= h1 * 1.10 + 2048) ? "flat" : "growing"
    t1 = mx(thr, a1, a2); t2 = mx(thr, b1, b2); tv = (t2 <= t1 + 1) ? "flat" : "growing"
    f1 = mx(fd, a1, a2); f2 = mx(fd, b1, b2); fv = (f2 <= f1 + 2) ? "flat" : "growing"
    printf "heap after GC: median %d KiB (samples %d-%d) -> %d KiB (samples %d-%d): %s\n", h1, a1, a2, h2, b1, b2, hv
    printf "threads: max %d -> %d: %s\n", t1, t2, tv
    printf "fds: max %d -> %d: %s\n", f1, f2, fv
    ev = (expired == silent && left == 0) ? "equal" : "NOT equal"
    printf "expiry: %d peers went silent (of %d simulated), %d expired, %d still live: %s\n", silent, expected, expired, left, ev
    verdict = (hv == "flat" && tv == "flat" && fv == "flat" && ev == "equal") ? "FLAT (no leak seen)" : "GROWING or MISMATCH"
    printf "verdict: %s\n", verdict
  }' "$WORK/samples"
echo "tracker log lines with WARN/ERROR/Exception: $ERRORS"
