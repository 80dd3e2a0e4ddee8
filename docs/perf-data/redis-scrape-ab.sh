#!/usr/bin/env bash
# HTTP scrape latency on the Redis store, two builds interleaved (fourteenth session: scrapes' calls written
# together). A fresh Redis-store tracker per build and round (shipped config/jvm.options), tracker and redis-server
# on core 0, the client (docs/perf-data/redis-scrape-client.py: one keep-alive connection, 50 unmeasured then 2,000
# scrapes) on core 1; scrapes of 1 and of 64 info_hashes; median and p99 in ms. Ports 36500 (redis) and 36969.
# Usage: docs/perf-data/redis-scrape-ab.sh A/swarmgate.jar B/swarmgate.jar   (each with its libs beside it)
set -u
cd "$(dirname "$0")/../.."
out=$(mktemp -d)
rport=36500; tport=36969
redis-server --port $rport --bind 127.0.0.1 --save '' --appendonly no >/dev/null 2>&1 & rs=$!
sleep 0.5; taskset -pc 0 $rs >/dev/null
for round in 1 2 3; do
 for jar in "$@"; do
  cat > $out/t.yaml <<Y
http: {host: 127.0.0.1, port: $tport}
udp: {enabled: false}
metrics: {enabled: false}
storage: {type: redis, redis: {uri: "redis://127.0.0.1:$rport/0"}}
Y
  java $(grep -v '^#' config/jvm.options) -jar $jar --config $out/t.yaml >$out/log.txt 2>&1 & tp=$!
  for _ in $(seq 50); do curl -s -o /dev/null 127.0.0.1:$tport/scrape && break; sleep 0.2; done
  taskset -apc 0 $tp >/dev/null
  for n in 1 64; do echo "round=$round jar=$jar $(taskset -c 1 python3 docs/perf-data/redis-scrape-client.py $tport $n 2000)"; done
  kill $tp; wait $tp 2>/dev/null
 done
done
kill $rs
rm -rf "$out"
