#!lua flags=allow-cross-slot-keys
-- shards: reads many index shards on one Cluster node in one call (a single server has one shard and needs no
-- script). ARGV[1] 'totals' or 'due'; ARGV[2] cutoff and ARGV[3] limit for 'due'; ARGV[4..] the tags of the
-- shards whose slots this node serves. Nothing is written, nothing but index shards is read.
-- totals: {swarms, s4, l4, s6, l6} summed; due: the swarms whose oldest peer is older than the cutoff
local mode = ARGV[1]
if mode == 'totals' then
  local sum = {0, 0, 0, 0, 0}
  for i = 4, #ARGV do
    local v = redis.call('HMGET', 'sg:totals:{' .. ARGV[i] .. '}', 'swarms', 's4', 'l4', 's6', 'l6')
    for j = 1, 5 do
      sum[j] = sum[j] + tonumber(v[j] or '0')
    end
  end
  return sum
end
local due = {}
local limit = tonumber(ARGV[3])
for i = 4, #ARGV do
  local swarms = redis.call('ZRANGEBYSCORE', 'sg:swarms:{' .. ARGV[i] .. '}', '-inf', '(' .. ARGV[2], 'LIMIT', 0, limit)
  for _, s in ipairs(swarms) do
    due[#due + 1] = s
  end
end
return due
