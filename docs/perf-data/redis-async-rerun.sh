#!/usr/bin/env bash
# The quiet re-run of the asynchronous UDP announce and the leaner announce function (README "Asynchronous UDP
# announces and a leaner function"): the tree before them (BEFORE, default 8f24ff5) against this one, interleaved,
# then p99 at half of this tree's Redis peak and the function alone, before and after.
# Usage: docs/perf-data/redis-async-rerun.sh [passes] [rounds-per-run]   (defaults 3 2; ports BASE=25000..25600)
# Builds BEFORE in a temporary git worktree (removed at the end) and this tree with ./mvnw package.
set -euo pipefail
cd "$(dirname "$0")/../.."
passes=${1:-3}
rounds=${2:-2}
before=${BEFORE:-8f24ff5}
export BASE=${BASE:-25000}
tmp=$(mktemp -d)
trap 'git worktree remove --force "$tmp/tree" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
git worktree add --detach "$tmp/tree" "$before" >/dev/null
(cd "$tmp/tree" && nice -n 19 ./mvnw -B -q -DskipTests -DskipDist package)   # builds at low priority
mkdir -p "$tmp/before" "$tmp/after"
cp -r "$tmp/tree/target/swarmgate.jar" "$tmp/tree/target/libs" "$tmp/before/"
nice -n 19 ./mvnw -B -q -DskipTests -DskipDist package
cp -r target/swarmgate.jar target/libs "$tmp/after/"
docs/perf-data/redis-ab.sh "$passes" "$rounds" "$tmp/before/swarmgate.jar" "$tmp/after/swarmgate.jar" | tee "$tmp/ab.txt"
# this tree's Redis peak (median of its Redis runs), then p99 at half of it
peak=$(grep '^build=after .*store=redis' "$tmp/ab.txt" | grep -o ' rate=[0-9]*' | cut -d= -f2 | sort -n \
  | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}')
echo "== p99 at half of the Redis peak ($peak/s): $(uptime)"
flock "${LOCK:-/tmp/swarmgate-bench.lock}" env JAR="$tmp/after/swarmgate.jar" \
  docs/perf-data/redis-bench.sh 3 64 udp "$((peak / 2))" | grep -v '^bench:'
echo "== the function alone, steady 50-peer swarm (before, after, alternating): $(uptime)"
lua=src/main/resources/io/swarmgate/storage/redis
flock "${LOCK:-/tmp/swarmgate-bench.lock}" bash -c '
  for i in 1 2 3 4 5; do
    echo "before $(LUA_DIR=$1 BASE=$((BASE + 600)) docs/perf-data/redis-script-bench.sh 200000 | grep SCRIPT)"
    echo "after $(BASE=$((BASE + 600)) docs/perf-data/redis-script-bench.sh 200000 | grep SCRIPT)"
  done' _ "$tmp/tree/$lua"
echo "== end $(uptime)"
