#!/usr/bin/env bash
# announce.lua alone: redis-server CPU per FCALL sg_announce in a steady 50-peer swarm (10 seeders, 40 leechers,
# numwant 50, no tiers), driven by redis-benchmark (pipelined), and the commands the function ran (INFO
# commandstats). The library is loaded as RedisPeerStore loads it (all parts, VERSION 'bench').
# CPU time of redis-server's main thread per call, so a loaded machine changes it less than wall-clock figures.
# Usage: docs/perf-data/redis-script-bench.sh [calls] [stop-at]   (run from anywhere; needs redis-server/-benchmark)
#   stop-at: where the function returns, to split the cost: prelude (bind the keys only), applied (event
#   applied, counts read), selected (peers drawn, no peer ids, no reply), or empty for the whole script.
# Port: a free one in BASE..BASE+299 (BASE=33600 unless set); stops the redis-server it starts.
# LUA_DIR=dir benches the Lua files of another tree (e.g. extracted with git show).
set -euo pipefail
dir=${LUA_DIR:-"$(cd "$(dirname "$0")/../.." && pwd)/src/main/resources/io/swarmgate/storage/redis"}
calls=${1:-100000}
stop=${2:-}
script=$(mktemp)
trap 'rm -f "$script"' EXIT
{ printf '#!lua name=swarmgate_bench\nlocal VERSION = %s\n' "'bench'"
  for part in common timeline announce stats sweep swarm; do cat "$dir/$part.lua"; echo; done; } > "$script"
case $stop in
  '') ;;
  prelude) sed -i 's/^  now, event, seeder = /  do return {0} end\n&/' "$script" ;;
  applied) sed -i 's/^  if numWant > 0 and tiers == 0 then$/  do return {0} end\n&/' "$script" ;;
  selected) sed -i 's/^  local reply = {complete, incomplete, tiers + 1}$/  do return {#out} end\n&/' "$script" ;;
  *) echo "unknown stop-at $stop" >&2; exit 2 ;;
esac
rs=""
for _ in 1 2 3 4 5; do   # bounded: another process may hold the port we drew
  port=$((${BASE:-33600} + RANDOM % 300))
  redis-server --port $port --bind 127.0.0.1 --save '' --appendonly no >/dev/null 2>&1 &
  rs=$!
  up=""
  for _ in $(seq 30); do
    redis-cli -p $port ping >/dev/null 2>&1 && { up=1; break; }
    kill -0 $rs 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$up" ] && break
done
trap 'rm -f "$script"; kill $rs 2>/dev/null || true' EXIT
taskset -pc 0 $rs >/dev/null
redis-cli -p $port -x FUNCTION LOAD < "$script" >/dev/null
h=0123456789abcdef0123456789abcdef01234567
p="sg:{$h}:"
keys="${p}4s ${p}4l ${p}6s ${p}6l ${p}seen ${p}ids ${p}downloaded sg:swarms:{all} sg:totals:{all} ${p}n ${p}timeline ${p}groups"
now=$(date +%s)
for i in $(seq 10 59); do   # members are 6-byte strings, as an IPv4 address and port are
  s=0; [ $i -lt 20 ] && s=1
  redis-cli -p $port FCALL sg_announce_bench 12 $keys $h $((now - 1860)) $now n $s "m0000$i" "-XX0000-0000000000$i" 50 $i 0 0 0 >/dev/null
done
redis-cli -p $port CONFIG RESETSTAT >/dev/null
cpu() { redis-cli -p $port INFO cpu | tr -d '\r' | awk -F: '/_main_thread/ {s += $2} END {printf "%.6f", s}'; }
c0=$(cpu)
taskset -c 1 redis-benchmark -p $port -n "$calls" -c 4 -P 16 -q FCALL sg_announce_bench 12 $keys $h $((now - 1860)) $now n 0 \
  m000025 -XX0000-000000000025 50 7 0 0 0 >/dev/null
c1=$(cpu)
echo "SCRIPT stop_at=${stop:-end} calls=$calls redis_cpu_us_per_call=$(echo "scale=1; ($c1 - $c0) * 1000000 / $calls" | bc)"
redis-cli -p $port INFO commandstats | tr -d '\r' | grep '^cmdstat_' | grep -v 'config\|info' | sed 's/,rejected_calls.*//'
