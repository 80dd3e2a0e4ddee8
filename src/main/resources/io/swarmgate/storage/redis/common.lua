-- Shared by every swarmgate script; RedisPeerStore puts it in front of each script's own part.
-- KEYS, all with one hash tag per swarm ({<info_hash hex>}) except INDEX and TOTALS, whose tag puts them in
-- the swarm's Cluster slot (one index shard per slot):
local S4, L4, S6, L6 = KEYS[1], KEYS[2], KEYS[3], KEYS[4] -- seeders/leechers per family: score 0, ordered by member
local SEEN = KEYS[5]        -- every peer of the swarm, scored by last-seen (seconds since the Unix epoch)
local IDS = KEYS[6]         -- member -> 20-byte peer_id
local DOWNLOADED = KEYS[7]  -- completed downloads
local INDEX = KEYS[8]       -- index shard: swarm hex -> oldest last-seen of its peers, 0 once empty
local TOTALS = KEYS[9]      -- index shard's counters: swarms, s4, l4, s6, l6
local COUNTS = KEYS[10]     -- the swarm's own counters s4, l4, s6, l6: one HMGET instead of four ZCARDs
local GROUPS = KEYS[12]     -- grouped peer (member) -> the group keys it is indexed under, space separated
-- A member is the peer's address (4 or 16 bytes, network order) and port (2 bytes): byte order is address
-- order, so "peers in my /24" is one lexicographic range, whatever prefix lengths are asked for.

local swarm = ARGV[1]
local cutoff = tonumber(ARGV[2]) -- peers last seen before this have expired

-- a member's seeder and leecher keys and their totals fields
local function lists(member)
  if #member == 6 then
    return S4, L4, 's4', 'l4'
  end
  return S6, L6, 's6', 'l6'
end

-- a peer joined (n = 1) or left (n = -1) the list counted by field: the swarm's and the shard's counters
local function bump(field, n)
  redis.call('HINCRBY', COUNTS, field, n)
  redis.call('HINCRBY', TOTALS, field, n)
end

-- Group sub-indexes (bittorrent/PeerPreference.java groups, from a topology map): per list and group key a
-- sorted set like the list (GROUPS:4s:dc1/pod3), holding the peers that announced with that key.
local function groupKey(list, key)
  return GROUPS .. ':' .. string.sub(list, -2) .. ':' .. key
end

-- takes a peer out of every group it is indexed under
local function ungroup(member)
  local keys = redis.call('HGET', GROUPS, member)
  if not keys then
    return
  end
  local s, l = lists(member)
  for key in string.gmatch(keys, '%S+') do
    redis.call('ZREM', groupKey(s, key), member)
    redis.call('ZREM', groupKey(l, key), member)
  end
  redis.call('HDEL', GROUPS, member)
end

-- removes one peer from the swarm; returns 1 when it was there
local function remove(member)
  local s, l, fs, fl = lists(member)
  local removed = 0
  if redis.call('ZREM', s, member) == 1 then
    bump(fs, -1)
    removed = 1
  elseif redis.call('ZREM', l, member) == 1 then
    bump(fl, -1)
    removed = 1
  end
  redis.call('ZREM', SEEN, member)
  redis.call('HDEL', IDS, member)
  ungroup(member)
  return removed
end

-- drops up to limit expired peers; returns how many
local function expire(limit)
  local old = redis.call('ZRANGEBYSCORE', SEEN, '-inf', '(' .. cutoff, 'LIMIT', 0, limit)
  local removed = 0
  for _, member in ipairs(old) do
    removed = removed + remove(member)
  end
  return removed
end

-- the swarm's index score: its oldest peer's last-seen, so the sweep finds exactly the swarms with expired
-- peers; 0 once empty, so the next sweep drops it (an emptied swarm keeps its download count until then).
-- Between two reindexes the score is a lower bound of that (peers only get younger or go): an announce whose
-- swarm's score is not below the cutoff knows without looking that no peer has expired, and skips expiry.
local function reindex()
  local oldest = redis.call('ZRANGE', SEEN, 0, 0, 'WITHSCORES')
  redis.call('ZADD', INDEX, oldest[2] or 0, swarm)
end

-- complete, incomplete, and the list sizes by COUNTS field
local function counts()
  local c = redis.call('HMGET', COUNTS, 's4', 'l4', 's6', 'l6')
  local n = {s4 = tonumber(c[1] or '0'), l4 = tonumber(c[2] or '0'), s6 = tonumber(c[3] or '0'),
             l6 = tonumber(c[4] or '0')}
  return n.s4 + n.s6, n.l4 + n.l6, n
end
