#!/usr/bin/env bash
# JMH MemoryPeerStoreBenchmark.announceStep (or BENCH=otherMethod) of two builds, interleaved: A B A B ... for ROUNDS rounds, pinned to
# one core (taskset -c ${CORE:-1}), with the load average beside each score; medians at the end.
# Usage: bench/announce-step-ab.sh OLD_DIR NEW_DIR [ROUNDS]; a DIR holds classes/ and test-classes/ of a
# -Pbench test-compile (copy target/classes and target/test-classes aside after building each commit).
# JMH_OPTS=-Djmh.ignoreLock=true when another JMH runs on the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA=${JAVA:-$(ls -d /usr/lib/jvm/temurin-2*/ 2>/dev/null | tail -1)bin/java}
DEPS=$(./mvnw -q -Pbench dependency:build-classpath -Dmdep.outputFile=/dev/stdout)
old=$1 new=$2 rounds=${3:-3}
out=$(mktemp -d)
for r in $(seq 1 "$rounds"); do
  for side in old new; do
    dir=${!side}
    taskset -c "${CORE:-1}" "$JAVA" ${JMH_OPTS:-} -cp "$DEPS:$dir/classes:$dir/test-classes" \
        org.openjdk.jmh.Main -f 1 -wi 3 -i 5 -r 1s -w 1s "MemoryPeerStoreBenchmark.${BENCH:-announceStep}\$" \
        > "$out/log" 2>&1 || { cat "$out/log"; exit 1; }
    # result lines: benchmark [param] mode cnt score +- error unit
    awk -v b="MemoryPeerStoreBenchmark.${BENCH:-announceStep}" \
        '$1 == b {if ($2 == "avgt") print "-", $4; else print $2, $5}' "$out/log" > "$out/scores"
    echo "round $r $side: $(awk '{printf "%s %s ns/op  ", $1, $2}' "$out/scores")($(uptime | sed 's/.*load/load/'))"
    awk -v side="$side" -v dir="$out" '{p = $1; gsub(/[,\/]/, "_", p); print $2 >> (dir "/" side "." p)}' "$out/scores"
  done
done
for f in "$out"/old.* "$out"/new.*; do
  echo "$(basename "$f" | tr _ ,) median: $(sort -g "$f" | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}') ns/op"
done
rm -r "$out"
