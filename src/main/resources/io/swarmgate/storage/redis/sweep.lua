-- sweep: expiry for one swarm the index named (a swarm nobody announces to any more). args[3]: most peers to
-- drop in this call. Safe when every instance sweeps at once: each call is atomic and counts only what it
-- removed itself. Reply: {peers removed, 1 when the swarm was dropped}
register('sg_sweep', function(args)
  if not redis.call('ZSCORE', INDEX, swarm) then
    return {0, 0} -- another instance dropped it first
  end
  local removed = expire(tonumber(args[3]))
  if redis.call('ZCARD', SEEN) == 0 then
    redis.call('DEL', S4, L4, S6, L6, packedKey(S4), packedKey(L4), packedKey(S6), packedKey(L6), SEEN, IDS,
               DOWNLOADED, COUNTS, TIMELINE)
    redis.call('ZREM', INDEX, swarm)
    redis.call('HINCRBY', TOTALS, 'swarms', -1)
    return {removed, 1}
  end
  reindex()
  return {removed, 0}
end)
