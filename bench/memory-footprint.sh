#!/usr/bin/env bash
# Live heap per peer of the memory store for the four loads of docs/performance.md "Memory per peer", one JVM at
# a time (each needs -Xmx4g). Usage: bench/memory-footprint.sh [CLASSES_DIR...]; with no argument it compiles
# and measures this tree. A directory holds classes/ and test-classes/ of a -Pbench test-compile, so an old
# build copied aside can be measured beside the new one: bench/memory-footprint.sh /tmp/old /tmp/new
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA=${JAVA:-$(ls -d /usr/lib/jvm/temurin-2*/ 2>/dev/null | tail -1)bin/java}
DEPS=$(./mvnw -q -Pbench dependency:build-classpath -Dmdep.outputFile=/dev/stdout)
if [ $# -eq 0 ]; then
  ./mvnw -B -q -Pbench -DskipTests test-compile
  set -- target
fi
for load in "1000000 1000000 4" "10000000 1000000 4" "1000000 10000 4" "1000000 10000 6"; do
  for dir in "$@"; do
    echo "== $dir: MemoryFootprint $load ($(uptime | sed 's/.*load/load/'))"
    "$JAVA" -Xmx4g -cp "$DEPS:$dir/classes:$dir/test-classes" io.swarmgate.storage.memory.MemoryFootprint $load
  done
done
