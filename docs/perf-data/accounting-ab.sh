#!/usr/bin/env bash
# Interleaved UDP throughput runs without and with the accounting posthook (README "accounting").
# Needs: target/swarmgate.jar (./mvnw -B -q -DskipTests package), the bench profile compiled
# (./mvnw -B -q -Pbench -DskipTests test-compile), and a PostgreSQL on 127.0.0.1:21432 with database swarmgate
# for the "on" runs. Tracker pinned to core 0, load generator to core 1.
set -euo pipefail
cd "$(dirname "$0")/../.."
JAVA=${JAVA:-$(ls -d /usr/lib/jvm/temurin-2*/bin/java | tail -1)}
rounds=${ROUNDS:-3}
cp=$(./mvnw -B -q -Pbench -DskipTests dependency:build-classpath -Dmdep.outputFile=/dev/stdout -Dmdep.includeScope=test)
for r in $(seq 1 "$rounds"); do
  for v in off on; do
    taskset -c 0 "$JAVA" -jar target/swarmgate.jar --config "docs/perf-data/sg-w1-accounting-$v.yaml" >/tmp/sg-acc-$v.log 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do grep -q "swarmgate started" /tmp/sg-acc-$v.log && break; sleep 0.1; done
    line=$(taskset -c 1 "$JAVA" -jar target/swarmgate.jar bench udp \
        --target 127.0.0.1:21070 --duration 10s --warmup 3s --sockets 1 --window 64 --tracker-pid "$pid" 2>&1 \
        | grep "^BENCH" || true)
    echo "round $r accounting=$v: $line"
    kill -TERM "$pid"; wait "$pid" || true
  done
done
