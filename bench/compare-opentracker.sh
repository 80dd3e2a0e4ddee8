#!/bin/bash
# Side-by-side benchmark on one machine: swarmgate against Debian's opentracker (default), or swarmgate's
# announce route against a trivial Helidon route (--helidon-floor).
#
#   bench/compare-opentracker.sh [--rounds 3] [--seconds 15] [--warmup 20] [--helidon-floor] [--ports 25100]
#
# Each tracker is pinned to core 0 (taskset -c 0), the load to core 1; every tracker gets the same warm-up
# (UDP and HTTP load for --warmup seconds each), then the trackers alternate for --rounds rounds. UDP load is
# `swarmgate bench udp` (16 sockets x 4 in flight, then one socket with 64 in flight; 1,000 swarms of 50 peers); HTTP load is wrk (64 connections,
# one announce per connection unless keep-alive) with the bench's own 1,000 info_hashes and peers. Each figure
# is printed with the tracker's CPU% (its core: ~100% means the tracker was the limit) and the generator's CPU%
# (~100% means the generator was). The line before the last holds the one-socket ratio (`udp 1x64 R.RRx`),
# the last line the median ratios:
#   udp R.RRx http R.RRx http/core R.RRx          (swarmgate / opentracker, 16x4; http/core = per busy tracker core)
#   close R.RRx keep-alive R.RRx                  (--helidon-floor: announce route / trivial route)
# Ports BASE to BASE+21 (--ports BASE, default 25100); JAR=path measures another build (default
# target/swarmgate.jar). Needs root for apt-get (opentracker, wrk) and for opentracker's chroot.
set -euo pipefail

ROUNDS=3 SECONDS_PER_RUN=15 WARMUP=20 MODE=opentracker PORTS=25100
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --seconds) SECONDS_PER_RUN=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --helidon-floor) MODE=floor; shift ;;
    --ports) PORTS=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set /p' "$0" | grep '^#'; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAR=${JAR:-$ROOT/target/swarmgate.jar}   # JAR=other/swarmgate.jar to measure another build
WORK=$(mktemp -d /tmp/swarmgate-compare.XXXXXX)
SG_UDP=$PORTS SG_HTTP=$((PORTS + 1)) OT_UDP=$((PORTS + 10)) OT_HTTP=$((PORTS + 11)) FLOOR_HTTP=$((PORTS + 21))
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

need() { # package, binary
  if ! command -v "$2" >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$1" >/dev/null 2>&1 \
      || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$1" >/dev/null; }
  fi
}
need wrk wrk
[ "$MODE" = opentracker ] && need opentracker opentracker
[ -f "$JAR" ] || (cd "$ROOT" && ./mvnw -B -q -DskipTests package)

JVM_OPTS=()
if [ -f "$ROOT/config/jvm.options" ]; then
  mapfile -t JVM_OPTS < <(grep -v '^\s*#' "$ROOT/config/jvm.options" | grep -v '^\s*$')
fi
BENCH=(taskset -c 1 java -jar "$JAR" bench)

# the bench's info_hashes: opentracker's whitelist and wrk's announces
"${BENCH[@]}" --write-infohashes "$WORK/whitelist.txt" --swarms 1000 >/dev/null
cat > "$WORK/announce.lua" <<'LUA'
-- wrk: announces from a fixed population of 50,000 peers (50 per swarm), a fifth seeding, event=started,
-- numwant 50, compact; set CLOSE=1 for one connection per request
local hashes, close = {}, os.getenv("CLOSE") == "1"
for line in io.lines(os.getenv("HASHES")) do hashes[#hashes + 1] = line:gsub("..", "%%%0") end
function setup(thread) thread:set("seed", math.random(1, 1e9)) end
function init() math.randomseed(seed or os.time()) end
function request()
  local p = math.random(0, 49999)
  local swarm = p % #hashes
  local left = (math.floor(p / #hashes) % 5 == 0) and 0 or 1000000
  local path = "/announce?info_hash=" .. hashes[swarm + 1] .. "&peer_id=-WR0001-" .. string.format("%012d", p)
    .. "&port=" .. (1024 + p % 60000) .. "&uploaded=0&downloaded=0&left=" .. left
    .. "&event=started&numwant=50&compact=1"
  return wrk.format("GET", path, close and { ["Connection"] = "close" } or {})
end
LUA

ticks() { # utime+stime of a pid, in 1/100 s
  awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"
}
wait_port() { # tcp port
  for _ in $(seq 1 100); do (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.2; done
  echo "nothing listens on $1" >&2; exit 1
}

start_swarmgate() {
  cat > "$WORK/sg.yaml" <<YAML
http: {host: 127.0.0.1, port: $SG_HTTP}
udp: {host: 127.0.0.1, port: $SG_UDP, workers: 1, connection-id-secret: compare-opentracker-secret-0123}
metrics: {enabled: false}
YAML
  taskset -c 0 java "${JVM_OPTS[@]}" -jar "$JAR" --config "$WORK/sg.yaml" >"$WORK/sg.log" 2>&1 &
  PIDS+=($!)
  wait_port $SG_HTTP
  # the launcher may hand over to a newer JDK: measure the JVM that serves
  SG_PID=$(pgrep -P "${PIDS[-1]}" java || echo "${PIDS[-1]}")
}
start_opentracker() {
  cp "$WORK/whitelist.txt" "$WORK/ot-whitelist.txt"; chmod 644 "$WORK/ot-whitelist.txt"; chmod 755 "$WORK"
  # runs as root only to chroot to -d and drop to nobody; the whitelist path is relative to the chroot
  taskset -c 0 opentracker -i 127.0.0.1 -p $OT_HTTP -P $OT_UDP -d "$WORK" -w ot-whitelist.txt \
    >"$WORK/ot.log" 2>&1 &
  PIDS+=($!); OT_PID=$!
  wait_port $OT_HTTP
}
start_floor() {
  taskset -c 0 java "${JVM_OPTS[@]}" -jar "$JAR" bench floor-server --port $FLOOR_HTTP >"$WORK/floor.log" 2>&1 &
  PIDS+=($!)
  wait_port $FLOOR_HTTP
  FLOOR_PID=$(pgrep -P "${PIDS[-1]}" java || echo "${PIDS[-1]}")
}

# The same 50,000 UDP peers in every run (bench --peer-seed), as wrk's population below is fixed: with random
# peers each run added 50 to every swarm of both trackers, so later rounds measured larger swarms. A JAR whose
# bench has no --peer-seed runs with random peers, as before.
PEER_SEED=()
if "${BENCH[@]}" --help 2>/dev/null | grep -q -- --peer-seed; then PEER_SEED=(--peer-seed 1); fi
# one run; prints "RATE TRACKER% GENERATOR%"
udp_run() { # port pid seconds [sockets window]
  local line
  line=$("${BENCH[@]}" udp --target 127.0.0.1:$1 --duration "${3}s" --warmup 2s --sockets "${4:-16}" --window "${5:-4}" \
         --swarms 1000 "${PEER_SEED[@]}" --tracker-pid "$2" 2>/dev/null | grep '^BENCH ')
  echo "$line" | tr ' ' '\n' | awk -F= '$1=="rate"{r=$2} $1=="tracker_cores"{t=$2*100} $1=="bench_cores"{g=$2*100}
    END { printf "%d %.0f %.0f\n", r, t, g }'
}
http_run() { # port pid seconds close(0|1)
  local t0 t1 out
  t0=$(ticks "$2")
  out=$( (CLOSE=$4 HASHES="$WORK/whitelist.txt" taskset -c 1 wrk -t1 -c64 -d"${3}s" -s "$WORK/announce.lua" \
          "http://127.0.0.1:$1/" ; awk '{ sub(/.*\) /, ""); print "CHILD_TICKS", $14 + $15 }' /proc/$BASHPID/stat) )
  t1=$(ticks "$2")
  echo "$out" | awk -v tt=$((t1 - t0)) -v s="$3" '/^Requests\/sec/ {r=$2} /^CHILD_TICKS/ {g=$2}
    /Non-2xx/ {bad=$NF} END { printf "%d %.0f %.0f %s\n", r, tt/s, g/s, bad+0 }'
}

median() { sort -n | awk '{a[NR]=$1} END { print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2 }'; }
declare -A RESULTS
record() { # key rate tracker% gen%
  RESULTS[$1]+="$2 "; RESULTS[$1.cpu]+="$3 "
}
show() { # label round key rate t% g% [bad]
  printf '%-6s round %s %-22s %9s/s   tracker CPU %3s%%   generator CPU %3s%%%s\n' "$1" "$2" "$3" "$4" "$5" "$6" \
    "${7:+   non-2xx $7}"
}
med() { echo "${RESULTS[$1]}" | tr ' ' '\n' | grep . | median; }

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) (a busy machine makes every figure noisy)"
if [ "$MODE" = opentracker ]; then
  start_swarmgate; start_opentracker
  TRACKERS="sg ot"
  declare -A PORTU=([sg]=$SG_UDP [ot]=$OT_UDP) PORTH=([sg]=$SG_HTTP [ot]=$OT_HTTP) PID=([sg]=$SG_PID [ot]=$OT_PID)
  for t in $TRACKERS; do # the same warm-up for both: JIT for swarmgate, swarms filled for both
    udp_run "${PORTU[$t]}" "${PID[$t]}" "$WARMUP" >/dev/null
    http_run "${PORTH[$t]}" "${PID[$t]}" "$WARMUP" 1 >/dev/null
  done
  for r in $(seq 1 "$ROUNDS"); do
    order=$TRACKERS; [ $((r % 2)) -eq 0 ] && order="ot sg"   # alternate who goes first
    for t in $order; do
      read -r rate tc gc < <(udp_run "${PORTU[$t]}" "${PID[$t]}" "$SECONDS_PER_RUN")
      show "$t" "$r" "udp announce" "$rate" "$tc" "$gc"; record "$t.udp" "$rate" "$tc"
      read -r rate tc gc < <(udp_run "${PORTU[$t]}" "${PID[$t]}" "$SECONDS_PER_RUN" 1 64)
      show "$t" "$r" "udp announce, 1x64" "$rate" "$tc" "$gc"; record "$t.udp1" "$rate" "$tc"
      read -r rate tc gc bad < <(http_run "${PORTH[$t]}" "${PID[$t]}" "$SECONDS_PER_RUN" 1)
      show "$t" "$r" "http connection/request" "$rate" "$tc" "$gc" "$([ "$bad" != 0 ] && echo "$bad")"
      record "$t.http" "$rate" "$tc"
    done
  done
  for t in $TRACKERS; do
    echo "median $t: udp $(med $t.udp)/s at $(med $t.udp.cpu)% CPU, udp 1x64 $(med $t.udp1)/s at $(med $t.udp1.cpu)% CPU, http $(med $t.http)/s at $(med $t.http.cpu)% CPU"
  done
  echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  awk -v su="$(med sg.udp1)" -v ou="$(med ot.udp1)" 'BEGIN { printf "udp 1x64 %.2fx\n", su/ou }'
  awk -v su="$(med sg.udp)" -v ou="$(med ot.udp)" -v sh="$(med sg.http)" -v oh="$(med ot.http)" \
      -v sc="$(med sg.http.cpu)" -v oc="$(med ot.http.cpu)" \
      'BEGIN { printf "udp %.2fx http %.2fx http/core %.2fx\n", su/ou, sh/oh, (sh/sc)/(oh/oc) }'
else
  start_swarmgate; start_floor
  TRACKERS="announce trivial"
  declare -A PORTH=([announce]=$SG_HTTP [trivial]=$FLOOR_HTTP) PID=([announce]=$SG_PID [trivial]=$FLOOR_PID)
  for t in $TRACKERS; do
    http_run "${PORTH[$t]}" "${PID[$t]}" "$WARMUP" 1 >/dev/null
    http_run "${PORTH[$t]}" "${PID[$t]}" "$WARMUP" 0 >/dev/null
  done
  for r in $(seq 1 "$ROUNDS"); do
    order=$TRACKERS; [ $((r % 2)) -eq 0 ] && order="trivial announce"
    for t in $order; do
      for close in 1 0; do
        kind=$([ $close = 1 ] && echo close || echo keep-alive)
        read -r rate tc gc bad < <(http_run "${PORTH[$t]}" "${PID[$t]}" "$SECONDS_PER_RUN" $close)
        show "$t" "$r" "http $kind" "$rate" "$tc" "$gc" "$([ "$bad" != 0 ] && echo "$bad")"
        record "$t.$kind" "$rate" "$tc"
      done
    done
  done
  for t in $TRACKERS; do
    echo "median $t: close $(med $t.close)/s at $(med $t.close.cpu)% CPU, keep-alive $(med $t.keep-alive)/s at" \
         "$(med $t.keep-alive.cpu)% CPU"
  done
  echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  awk -v ac="$(med announce.close)" -v tc="$(med trivial.close)" -v ak="$(med announce.keep-alive)" \
      -v tk="$(med trivial.keep-alive)" 'BEGIN { printf "close %.2fx keep-alive %.2fx\n", ac/tc, ak/tk }'
fi
