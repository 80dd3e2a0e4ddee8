-- timeline: the swarm's completion timeline (storage/SwarmDetail.java's Timeline and mark(), ported: keep the
-- two in step), in its own hash sg:{h}:timeline (TIMELINE, key 11): first (the first announce of the swarm's first
-- peer, written by announce.lua when the swarm is new), seen (peers new to the swarm that announced as leechers),
-- done (leechers that became seeders), and the marks t50, t90, t100: when done / seen last reached 1/2, 9/10, all (absent while not reached). Seconds since
-- the Unix epoch. Used by announce.lua, sweep.lua and swarm.lua.
local MARKS = {{'t50', 50}, {'t90', 90}, {'t100', 100}}

local function timelineCount(field, now)
  redis.call('HINCRBY', TIMELINE, field, 1)
  local v = redis.call('HMGET', TIMELINE, 'seen', 'done', 't50', 't90', 't100')
  local seen, done = tonumber(v[1] or '0'), tonumber(v[2] or '0')
  for i, m in ipairs(MARKS) do
    if seen > 0 and done * 100 >= m[2] * seen then
      if not v[2 + i] then
        redis.call('HSET', TIMELINE, m[1], now)
      end
    elseif v[2 + i] then
      redis.call('HDEL', TIMELINE, m[1])
    end
  end
end

-- Called by announce.lua once the event is known and before the announcer is stored: whether it is new to the
-- swarm, or a leecher turning seeder, follows from the list it is in as stored (listed: 's', 'l', or nil when
-- it has none, from IDS). Costs no command per announce; the hash is written only when a peer joins or completes.
local function timeline(listed, isSeeder, now)
  if listed == 'l' then
    if isSeeder then
      timelineCount('done', now)
    end
  elseif not listed and not isSeeder then
    timelineCount('seen', now)
  end
end
