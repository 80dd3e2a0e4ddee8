#!/bin/bash
# usage: docs/perf-data/gc-compare.sh ROUNDS SECONDS OUTDIR
# G1 against generational ZGC under the UDP benchmark: for each round and collector, a fresh tracker pinned to
# core 0 with config/jvm.options (its GC line swapped) and -Xlog:gc, `swarmgate bench udp` on core 1 for a
# warm-up run and a measured run; prints rate, tracker CPU, peak RSS (VmHWM) and GC pause p50/p99/max.
set -euo pipefail
ROUNDS=$1 SECS=$2 OUT=$3
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
JAR=$ROOT/target/swarmgate.jar
mkdir -p "$OUT"
cat > "$OUT/sg.yaml" <<YAML
http: {host: 127.0.0.1, port: 25131}
udp: {host: 127.0.0.1, port: 25130, workers: 1, connection-id-secret: gc-compare-secret-0123456789}
metrics: {enabled: false}
YAML
mapfile -t BASE < <(grep -v '^\s*#' "$ROOT/config/jvm.options" | grep -v '^\s*$' | grep -v '^-XX:+Use.*GC$')
pauses() { # gc log -> "p50 p99 max" of pause times in ms
  grep -oE '(Pause[^)]*\)|Pause [A-Za-z ]+) .*[0-9.]+ms$' "$1" | grep -oE '[0-9.]+ms$' | tr -d 'ms' | sort -n |
    awk '{a[NR]=$1} END { if (NR == 0) { print "- - -"; exit }
      printf "%.3f %.3f %.3f %d\n", a[int((NR+1)/2)], a[int(NR*0.99+0.999)], a[NR], NR }'
}
# the JDK that serves (no launcher hand-over, so -Xlog goes to one JVM)
J=${JAVA:-$(ls -d /usr/lib/jvm/*25*/bin/java 2>/dev/null | head -1)}
J=${J:-java}
for r in $(seq 1 "$ROUNDS"); do
  for gc in G1GC ZGC; do
    log=$OUT/gc-$gc-$r.log
    taskset -c 0 "$J" "${BASE[@]}" -XX:+Use${gc} -Xlog:gc,gc+phases:file=$log -jar "$JAR" --config "$OUT/sg.yaml" \
      >"$OUT/sg-$gc-$r.out" 2>&1 &
    launcher=$!
    for _ in $(seq 1 100); do grep -q "swarmgate started" "$OUT/sg-$gc-$r.out" && break; sleep 0.2; done
    pid=$launcher
    taskset -c 1 java -jar "$JAR" bench udp --target 127.0.0.1:25130 --duration 10s --warmup 0s >/dev/null 2>&1
    lines=$(wc -l < "$log")
    line=$(taskset -c 1 java -jar "$JAR" bench udp --target 127.0.0.1:25130 --duration "${SECS}s" \
           --tracker-pid "$pid" 2>/dev/null | grep '^BENCH ')
    tail -n +"$((lines + 1))" "$log" > "$log.measured"
    hwm=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
    kill $launcher; wait $launcher || true
    rate=$(echo "$line" | tr ' ' '\n' | awk -F= '$1=="rate"{print $2}')
    p99=$(echo "$line" | tr ' ' '\n' | awk -F= '$1=="p99_us"{print $2}')
    cores=$(echo "$line" | tr ' ' '\n' | awk -F= '$1=="tracker_cores"{print $2}')
    echo "round $r $gc rate=$rate p99_us=$p99 tracker_cores=$cores vmhwm_kib=$hwm gc_pause_ms_p50_p99_max_n=$(pauses "$log.measured" | tr ' ' '/') load=$(cut -d' ' -f1 /proc/loadavg)"
  done
done
