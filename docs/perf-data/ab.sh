#!/bin/bash
# usage: ab.sh ROUNDS SECONDS OUTFILE
# Interleaved before/after runs (one generator thread, window 64) against two swarmgate builds already running:
# "before" on UDP 7070, "after" on UDP 7090, their pids in before.pid and after.pid (see docs/performance.md).
set -u
J=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
CP=${CP:-target/classes:target/test-classes}   # after: ./mvnw -B -q -Pbench -DskipTests test-compile
ROUNDS=$1; SECS=$2; OUT=$3
declare -A PORT=([before]=7070 [after]=7090)
for t in before after; do  # warm-up: JIT, swarms filled
  $J -cp $CP io.swarmgate.tools.UdpLoad --target 127.0.0.1:${PORT[$t]} --seconds 8 --warmup 2 \
     --tracker-pid $(cat $t.pid) | sed -n 2p | sed "s/^/WARMUP $t /" >> $OUT
done
for r in $(seq 1 $ROUNDS); do
  for t in before after; do
    $J -cp $CP io.swarmgate.tools.UdpLoad --target 127.0.0.1:${PORT[$t]} --seconds $SECS --warmup 2 \
       --tracker-pid $(cat $t.pid) | sed -n 2p | sed "s/^/RUN $r $t load=$(cut -d' ' -f1 /proc/loadavg) /" >> $OUT
  done
done
