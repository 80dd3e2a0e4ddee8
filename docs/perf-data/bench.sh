#!/bin/bash
# usage: bench.sh ROUNDS SECONDS LOADGEN_THREADS OUTFILE
# Expects four trackers already running, their pids in sg1.pid sg2.pid ot.pid ot2.pid (see docs/performance.md).
set -u
J=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
CP=${CP:-target/classes:target/test-classes}   # after: ./mvnw -B -q -Pbench -DskipTests test-compile
ROUNDS=$1; SECS=$2; THREADS=$3; OUT=$4
declare -A PORT=([sg-w1]=7070 [sg-w2]=7072 [ot]=7080 [ot-w2]=7082)
declare -A PIDF=([sg-w1]=sg1.pid [sg-w2]=sg2.pid [ot]=ot.pid [ot-w2]=ot2.pid)
ORDER="sg-w1 ot sg-w2 ot-w2"
for t in $ORDER; do  # warm-up: JIT for swarmgate, swarms filled for all
  $J -cp $CP io.swarmgate.tools.UdpLoad --target 127.0.0.1:${PORT[$t]} --seconds 8 --warmup 2 --threads $THREADS \
     --tracker-pid $(cat ${PIDF[$t]}) | sed -n 2p | sed "s/^/WARMUP $t /" >> $OUT
done
for r in $(seq 1 $ROUNDS); do
  for t in $ORDER; do
    $J -cp $CP io.swarmgate.tools.UdpLoad --target 127.0.0.1:${PORT[$t]} --seconds $SECS --warmup 2 --threads $THREADS \
       --tracker-pid $(cat ${PIDF[$t]}) | sed -n 2p | sed "s/^/RUN $r $t load=$(cut -d' ' -f1 /proc/loadavg) /" >> $OUT
  done
done
