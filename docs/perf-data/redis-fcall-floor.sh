#!/usr/bin/env bash
# The fixed costs of a Redis function call, apart from announce.lua (README "Tenth session"): redis-server's
# main-thread CPU per FCALL of functions that do (almost) nothing, driven by redis-benchmark (pipelined, 4
# clients x 16), redis-server on core 0 and the driver on core 1. Prints µs per call for: an empty function with
# the store's 12 keys and 12 arguments, with 12 one-letter keys, with 1 key and 12, 1 and 1, none; one and five
# HGETs inside; GETRANGE of 26 B, 1 KB and 4 KB into Lua. Port 34777 (PORT=...); stops the server it starts.
set -euo pipefail
port=${PORT:-34777}
calls=${CALLS:-300000}
lib=$(mktemp)
trap 'rm -f "$lib"; kill $rs 2>/dev/null || true' EXIT
cat >"$lib" <<'L'
#!lua name=floor
redis.register_function('z', function(k, a) return {0} end)
redis.register_function('h1', function(k, a) redis.call('HGET', 'k6', 'm') return {0} end)
redis.register_function('h5', function(k, a) for i = 1, 5 do redis.call('HGET', 'k6', 'm') end return {0} end)
redis.register_function('g26', function(k, a) local y = redis.call('GETRANGE', 'k2', 0, 25) return {0} end)
redis.register_function('g1k', function(k, a) local y = redis.call('GETRANGE', 'k2', 0, 1039) return {0} end)
redis.register_function('g4k', function(k, a) local y = redis.call('GETRANGE', 'k3', 0, 3999) return {0} end)
L
redis-server --port $port --bind 127.0.0.1 --save '' --appendonly no >/dev/null 2>&1 &
rs=$!
for _ in $(seq 50); do redis-cli -p $port ping >/dev/null 2>&1 && break; sleep 0.1; done   # bounded: 5 s
taskset -pc 0 $rs >/dev/null
redis-cli -p $port -x FUNCTION LOAD <"$lib" >/dev/null
redis-cli -p $port HSET k6 m 01234567890123456789s12 >/dev/null
redis-cli -p $port SET k2 "$(head -c 1040 /dev/zero | tr '\0' b)" >/dev/null
redis-cli -p $port SET k3 "$(head -c 4000 /dev/zero | tr '\0' c)" >/dev/null
cpu() { redis-cli -p $port INFO cpu | tr -d '\r' | awk -F: '/_main_thread/ {s += $2} END {printf "%.6f", s}'; }
run() {
  local c0 c1
  c0=$(cpu)
  taskset -c 1 redis-benchmark -p $port -n "$calls" -c 4 -P 16 -q "$@" >/dev/null
  c1=$(cpu)
  echo "scale=2; ($c1 - $c0) * 1000000 / $calls" | bc
}
L=sg:{0123456789abcdef0123456789abcdef01234567}:
A="0123456789abcdef0123456789abcdef01234567 1700000000 1700001860 n 0 m00025 -XX0000-000000000025 50 7 0 0 0"
K12="${L}4s ${L}4l ${L}6s ${L}6l ${L}seen ${L}ids ${L}downloaded sg:swarms:{all} sg:totals:{all} ${L}n ${L}timeline ${L}groups"
# shellcheck disable=SC2086
echo "FLOOR keys12_args12=$(run FCALL z 12 $K12 $A) short_keys12_args12=$(run FCALL z 12 a b c d e f g h i j k l $A)" \
  "keys1_args12=$(run FCALL z 1 "$L" $A) keys1_args1=$(run FCALL z 1 "$L" x) none=$(run FCALL z 0)" \
  "hget1=$(run FCALL h1 0) hget5=$(run FCALL h5 0) getrange26=$(run FCALL g26 0) getrange1k=$(run FCALL g1k 0)" \
  "getrange4k=$(run FCALL g4k 0) plain_get=$(run GET nokey)"
