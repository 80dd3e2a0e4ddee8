-- Shared by every swarmgate function. RedisPeerStore loads common.lua, timeline.lua, announce.lua, stats.lua,
-- sweep.lua and swarm.lua as one Redis function library (FUNCTION LOAD, then FCALL by name), with a first line
-- that names it and sets VERSION (a hash of these files, so instances of two versions may share a Redis). The
-- helpers below are defined once, when the library is loaded, not on every call as a script's would be; each
-- call first sets the keys and arguments they read (bind).
-- KEYS, all with one hash tag per swarm ({<info_hash hex>}) except INDEX and TOTALS, whose tag puts them in
-- the swarm's Cluster slot (one index shard per slot):
local S4, L4, S6, L6        -- keys 1-4, seeders/leechers per family: score 0, ordered by entry
local SEEN                  -- 5, every peer of the swarm, scored by last-seen (seconds since the Unix epoch)
local IDS                   -- 6, member -> 20-byte peer_id, the list it is in ('s' or 'l'), then the entry's slot
                            -- in that list's packed string (decimal): one HGET says where a peer is

local DOWNLOADED            -- 7, completed downloads
local INDEX                 -- 8, index shard: swarm hex -> oldest last-seen of its peers, 0 once empty
local TOTALS                -- 9, index shard's counters: swarms, s4, l4, s6, l6
local COUNTS                -- 10, the swarm's own counters s4, l4, s6, l6: one HMGET instead of four ZCARDs, g,
                            -- the peers in GROUPS (so that an announce without group tiers skips it when none),
                            -- and o, a copy of the swarm's INDEX score (absent: not indexed), read with them
local TIMELINE              -- 11, the completion timeline (timeline.lua)
local GROUPS                -- 12, grouped peer (member) -> the group keys it is indexed under, space separated
local swarm                 -- argument 1: the swarm's hex
local cutoff                -- argument 2: peers last seen before this have expired
-- COUNTS as this call has it (loadCounts): s4, l4, s6, l6, g as numbers and o as Redis gave it, kept current by
-- every write below, so a call reads the counters once and never again after changing them; nil until read
local counted

local function bind(keys, args)
  S4, L4, S6, L6, SEEN, IDS = keys[1], keys[2], keys[3], keys[4], keys[5], keys[6]
  DOWNLOADED, INDEX, TOTALS, COUNTS, TIMELINE, GROUPS = keys[7], keys[8], keys[9], keys[10], keys[11], keys[12]
  swarm, cutoff = args[1], tonumber(args[2])
  counted = nil
end

-- the one table loadCounts fills, reused by every call (calls never overlap): no table made per announce
local COUNTED = {}

local function loadCounts()
  local c = redis.call('HMGET', COUNTS, 's4', 'l4', 's6', 'l6', 'g', 'o')
  COUNTED.s4, COUNTED.l4 = tonumber(c[1] or '0'), tonumber(c[2] or '0')
  COUNTED.s6, COUNTED.l6 = tonumber(c[3] or '0'), tonumber(c[4] or '0')
  COUNTED.g, COUNTED.o = tonumber(c[5] or '0'), c[6]
  counted = COUNTED
  return counted
end

-- adds n to a COUNTS field; returns its new value
local function countBy(field, n)
  local v = redis.call('HINCRBY', COUNTS, field, n)
  if counted then
    counted[field] = v
  end
  return v
end

-- the swarm's index score, in INDEX and its copy in COUNTS
local function setIndex(score)
  redis.call('ZADD', INDEX, score, swarm)
  redis.call('HSET', COUNTS, 'o', score)
  if counted then
    counted.o = score
  end
end

-- registers body(args) as the function name_VERSION, called with the swarm's keys bound
local function register(name, body)
  redis.register_function(name .. '_' .. VERSION, function(keys, args)
    bind(keys, args)
    return body(args)
  end)
end

-- A member is the peer's address (4 or 16 bytes, network order) and port (2 bytes): byte order is address
-- order, so "peers in my /24" is one lexicographic range, whatever prefix lengths are asked for. SEEN, IDS and
-- GROUPS are keyed by member; the lists (and group sets) hold entries, the member followed by the 20-byte
-- peer_id, still in address order, so that handing out a peer needs no lookup of its id (an HMGET of numwant
-- fields and their conversions were about 40% of an announce's Redis time).
-- the highest 20 bytes after a member: '[' .. last .. MAX_ID bounds every entry of the members up to last
-- (a literal: loading a library may not call string.rep)
local MAX_ID = '\255\255\255\255\255\255\255\255\255\255\255\255\255\255\255\255\255\255\255\255'

-- a member's list entry, its slot in the list's packed string and its list ('s' or 'l'), or nil when the member
-- is unknown
local function entryOf(member)
  local v = redis.call('HGET', IDS, member)
  if not v then
    return nil
  end
  return member .. string.sub(v, 1, 20), tonumber(string.sub(v, 22)), string.sub(v, 21, 21)
end

-- what IDS holds for a peer with this peer_id at slot of list (a list key ends in s or l)
local function idsValue(id, list, slot)
  return id .. string.sub(list, -1) .. slot
end

-- a member's seeder and leecher keys and their totals fields
local function lists(member) -- a member or an entry
  if #member == 6 or #member == 26 then
    return S4, L4, 's4', 'l4'
  end
  return S6, L6, 's6', 'l6'
end

-- a peer joined (n = 1) or left (n = -1) the list counted by field: the swarm's and the shard's counters;
-- returns the list's new size
local function bump(field, n)
  redis.call('HINCRBY', TOTALS, field, n)
  return countBy(field, n)
end

-- Packed lists: beside each seeder or leecher list, a string (the list's key and 'p', so the same hash tag) of
-- its entries in fixed-size slots, 0..n-1 for a list of n (its COUNTS field), in no particular order. IDS
-- keeps each member's slot after its peer_id. A handout without tiers reads runs of slots with GETRANGE, one
-- string per run, where drawing members (ZRANDMEMBER) made a Lua string of every peer and its reply element.
-- Bytes past the last slot are stale; the string is deleted with its swarm.
local function packedKey(list)
  return list .. 'p'
end

local function entrySize(list)
  return string.sub(list, -2, -2) == '4' and 26 or 38
end

-- adds an entry to a list (already in the sorted set) at the end of its packed string; returns its slot
local function packAdd(list, field, entry)
  local n = bump(field, 1)
  redis.call('SETRANGE', packedKey(list), (n - 1) * entrySize(list), entry)
  return n - 1
end

-- takes the entry at slot out of a list's packed string (already out of the sorted set): the last entry
-- moves into the hole, and its member's slot in IDS with it
local function packRemove(list, field, slot)
  local last = bump(field, -1) -- the old last slot
  if slot ~= last then
    local size, key = entrySize(list), packedKey(list)
    local moved = redis.call('GETRANGE', key, last * size, (last + 1) * size - 1)
    redis.call('SETRANGE', key, slot * size, moved)
    redis.call('HSET', IDS, string.sub(moved, 1, size - 20), idsValue(string.sub(moved, size - 19), list, slot))
  end
end

-- Group sub-indexes (bittorrent/PeerPreference.java groups, from a topology map): per list and group key a
-- sorted set like the list (GROUPS:4s:dc1/pod3), holding the peers that announced with that key.
local function groupKey(list, key)
  return GROUPS .. ':' .. string.sub(list, -2) .. ':' .. key
end

-- takes a peer (its member and its list entry) out of every group it is indexed under
local function ungroup(member, entry)
  local keys = redis.call('HGET', GROUPS, member)
  if not keys then
    return
  end
  local s, l = lists(member)
  for key in string.gmatch(keys, '%S+') do
    if entry then
      redis.call('ZREM', groupKey(s, key), entry)
      redis.call('ZREM', groupKey(l, key), entry)
    end
  end
  redis.call('HDEL', GROUPS, member)
  countBy('g', -1)
end

-- takes one list entry (at slot in its packed string) out of its list (listed: 's' or 'l', from IDS) and the
-- counters; returns 1 when it was there
local function unlist(entry, slot, listed)
  local s, l, fs, fl = lists(entry)
  local list, field = l, fl
  if listed == 's' then
    list, field = s, fs
  end
  if redis.call('ZREM', list, entry) == 1 then
    packRemove(list, field, slot)
    return 1
  end
  return 0
end

-- removes one peer (by member) from the swarm; returns 1 when it was there
local function remove(member)
  local entry, slot, listed = entryOf(member)
  local removed = 0
  if entry then
    removed = unlist(entry, slot, listed)
  end
  redis.call('ZREM', SEEN, member)
  redis.call('HDEL', IDS, member)
  ungroup(member, entry)
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
  setIndex(oldest[2] or 0)
end

-- complete, incomplete, and the list sizes (and g) by COUNTS field, as they are now
local function counts()
  local n = counted or loadCounts()
  return n.s4 + n.s6, n.l4 + n.l6, n
end
