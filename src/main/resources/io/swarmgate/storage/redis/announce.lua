-- announce: applies one announce and answers it in one atomic step, as MemoryPeerStore does under its lock.
-- args[3] now, [4] event (n: none/started, c: completed, x: stopped), [5] '1' for a seeder, [6] the announcer's
-- member, [7] its peer_id, [8] numwant, [9] random seed, [10] rack quorum, [11] bridge peers and [12] seeded-rack
-- bridges (the bridge rule of bittorrent/PeerPreference.java, off when the quorum is 0), [13..] per locality tier
-- (nearest first) the first and last member of the announcer's network (address masked, port 0000 / address
-- filled, port ffff), or for group tiers (a topology map placed the announcer) an empty string and the group key.
-- Reply: {complete, incomplete, n, n counts of the peers handed out per tier (nearest first, the last one
-- everyone else), then, when any, the peers in the order to try them as strings of list entries (member and
-- 20-byte peer_id each): the few runs of a packed list as they were read, or one string when there are many
-- pieces}; a stop answers {complete, incomplete}. A run may hold the announcer's own entry (one read across its
-- slot instead of two, or of a Lua copy without it): the tracker drops the entry of the announcer's member.
--
-- Why runs go back as they were read: Redis' Lua hashes every byte of every string it makes (a GETRANGE's
-- reply, a string.sub, a table.concat), so each copy of a packed run costs about as much as the read itself.
-- expired peers this announce drops on the way (the sweep takes any rest)
local EXPIRE_LIMIT = 64
-- at most this many strings of peers in a reply; more are joined into one
local MAX_PIECES = 8
-- The state of the announce being answered, set at the start of each call: the helpers below are defined once,
-- when the library is loaded, and read it from here.
local args, now, event, seeder, me, myId, numWant, rackQuorum, bridgePeers, seededBridges, tiers, seed
local entry, mySlot, seeders, leechers, fs, fl, target, other, sizes, out, byTier
-- the selection's steps for this announce: by rank ranges (address tiers) or in group sets (group tiers)
local advance, availableSoFar, take

-- Park-Miller "minimal standard" generator, seeded by the caller: exact in Lua's doubles and much cheaper than
-- reseeding Redis' math.random on every call
local function random(n) -- 1..n
  seed = seed * 16807 % 2147483647
  return seed % n + 1
end

-- Expiry only when due: the index score is a lower bound of the oldest last-seen (common.lua, reindex), so
-- its copy, read with the counters in one HMGET, tells whether any peer may have expired. Returns the score
-- (nil for a swarm not indexed) and whether expiry ran, in which case the caller reindexes once it has
-- applied the event.
local function expireIfDue()
  local score = loadCounts().o
  if score and tonumber(score) < cutoff then
    expire(EXPIRE_LIMIT)
    return score, true
  end
  return score, false
end

-- What IDS holds for the announcer (common.lua's entryOf without its copies: a steady re-announce makes no
-- string here): its old list entry only when it was stored with another peer_id (nil when the same or new), its
-- packed slot and its list ('s' or 'l'), or nil when it is new
local function storedEntry(member, id)
  local v = redis.call('HGET', IDS, member)
  if not v then
    return nil
  end
  local old = nil
  if string.find(v, id, 1, true) ~= 1 then -- the value starts with the peer_id it was stored with
    old = member .. string.sub(v, 1, 20)
  end
  return old, tonumber(string.sub(v, 22)), string.byte(v, 21) == 115 and 's' or 'l'
end

-- group tiers: index the announcer under its group keys (and nothing else)
local function regroup(moved)
  local keys = {}
  for k = 1, tiers do
    keys[k] = args[12 + 2 * k]
  end
  local joined = table.concat(keys, ' ')
  local old = redis.call('HGET', GROUPS, me)
  if old == joined and not moved then
    return
  end
  if old and old ~= joined then
    ungroup(me, entry)
  end
  if old ~= joined then
    countBy('g', 1) -- newly in GROUPS (again)
  end
  redis.call('HSET', GROUPS, me, joined)
  for k = 1, tiers do
    redis.call('ZADD', groupKey(target, keys[k]), 0, entry)
    redis.call('ZREM', groupKey(other, keys[k]), entry)
  end
end

-- Peer selection, a port of storage/memory/PeerSelection.java: keep the two in step. A list is walked tier by
-- tier; tier k's peers are the ranks of the announcer's k-th network minus those of the nearer ones (at most
-- two rank ranges), found by ZLEXCOUNT in O(log n), and drawn at random by rank, so the cost grows with numwant
-- and the number of tiers, never with the swarm.

-- A list's walk; the sizes come from the counters, and the announcer, just stored, is in target and only there.
local function walk(key, field)
  local size = sizes[field]
  if size == 0 then
    return nil
  end
  local mine = key == target
  -- where the announcer sorts: needed for tier ranges only (without tiers one ZRANDMEMBER takes the whole list)
  local at = 0
  if tiers > 0 then
    at = redis.call('ZLEXCOUNT', key, '-', '(' .. me)
  end
  local self = -1
  if mine then
    self = at
  end
  -- before the first tier the range is empty, placed where the announcer sorts
  return {key = key, size = size, mine = mine, self = self, tier = 0, lo = at, hi = at, plo = at, phi = at}
end

local function available(w)
  return w.size - (w.mine and 1 or 0)
end

-- peers other than the announcer in the current cumulative range (this tier and all nearer ones)
local function rankAvailableSoFar(w)
  local self = (w.self >= w.lo and w.self < w.hi) and 1 or 0
  return w.hi - w.lo - self
end

-- moves to tier k (1-based); tier tiers + 1 is everyone
local function rankAdvance(w, k)
  w.plo, w.phi, w.tier = w.lo, w.hi, k
  if k > tiers then
    w.lo, w.hi = 0, w.size
    return
  end
  local first, last = args[11 + 2 * k], args[12 + 2 * k]
  -- ranges of one address nest; min/max keeps them nested even for prefixes given out of order
  w.lo = math.min(w.lo, redis.call('ZLEXCOUNT', w.key, '-', '(' .. first))
  w.hi = math.max(w.hi, redis.call('ZLEXCOUNT', w.key, '-', '[' .. last .. MAX_ID))
end

local function gcd(a, b)
  while b ~= 0 do
    a, b = b, a % b
  end
  return a
end

-- a random step in [1, n) coprime to n: stepping modulo n then visits every index once
local function coprimeStep(n)
  if n <= 2 then
    return 1
  end
  while true do
    local step = random(n - 1)
    if gcd(step, n) == 1 then
      return step
    end
  end
end

local function count(k, n)
  k = math.min(k, tiers + 1)
  byTier[k] = byTier[k] + n
end

-- One random walk for both kinds of tier (PeerSelection's take): a random start and a step coprime to n visit
-- 0..n-1 once each in a shuffled order; pick(v) is the member at walk position v, or nil to skip it. Appends up
-- to max members; returns how many.
local function randomWalk(n, max, pick)
  local v = random(n) - 1
  local step = coprimeStep(n)
  local added = 0
  for _ = 1, n do
    if added >= max then
      break
    end
    local member = pick(v)
    if member then
      out[#out + 1] = member
      added = added + 1
    end
    v = (v + step) % n
  end
  return added
end

-- Appends the packed entries of a run of len slots of a whole list, counted on the ring of its slots without
-- the announcer's (skip, or -1): from virtual slot v, wrapping at the end; at most two GETRANGEs. A run across
-- the announcer's slot reads it too (the tracker drops it).
-- appends real slots [first, last) of a packed string
local function readRun(key, size, first, last)
  if last > first then
    out[#out + 1] = redis.call('GETRANGE', key, first * size, last * size - 1)
  end
end

local function appendRun(key, size, n, skip, v, len)
  local ring = skip >= 0 and n - 1 or n
  while len > 0 do
    local l = math.min(len, ring - v)
    if skip < 0 or v + l <= skip then
      readRun(key, size, v, v + l)
    elseif v >= skip then
      readRun(key, size, v + 1, v + l + 1)
    else
      readRun(key, size, v, v + l + 1) -- across the announcer's slot
    end
    len, v = len - l, 0
  end
end

-- Up to max peers of a whole list (the announcer left out) from its packed string: everyone in one read when
-- they fit; otherwise up to RUNS runs of consecutive slots, one in each of RUNS equal arcs of the ring of slots
-- (from a random start), each at a random place in its arc, so they never overlap. Slots are in arrival order,
-- shuffled by every departure (the last slot moves into the hole): a handout is a stratified sample in a few
-- clumps, not an independent draw of each peer, the price of one GETRANGE per clump instead of a Lua string
-- and a reply element per peer.
local RUNS = 4
local function packedTake(list, n, mine, max)
  local size, key = entrySize(list), packedKey(list)
  local skip = mine and mySlot or -1
  local ring = skip >= 0 and n - 1 or n
  local want = math.min(max, ring)
  if want <= 0 then
    return 0
  end
  if want == ring then
    appendRun(key, size, n, skip, 0, ring)
    return want
  end
  local runs = math.min(RUNS, want)
  local spacing = math.floor(ring / runs)
  local start = random(ring) - 1
  if spacing < math.ceil(want / runs) then
    appendRun(key, size, n, skip, start, want) -- nearly everyone: one run
    return want
  end
  local left = want
  for r = 0, runs - 1 do
    local len = math.ceil(left / (runs - r))
    local offset = random(spacing - len + 1) - 1
    appendRun(key, size, n, skip, (start + r * spacing + offset) % ring, len)
    left = left - len
  end
  return want
end

-- appends up to max random peers of the current tier (minus the previous one); returns how many
local function rankTake(w, max)
  local len1 = w.plo - w.lo
  local n = len1 + w.hi - w.phi
  if n == 0 or max <= 0 then
    return 0
  end
  if w.plo == w.phi and w.lo == 0 and w.hi == w.size then
    -- the tier is the whole list (no preference, or the first tier that covers everyone): runs of its packed
    -- string, instead of one ZRANGE per peer
    return packedTake(w.key, w.size, w.mine, max)
  end
  -- the tier is two rank ranges of the list: [lo, plo) and [phi, hi)
  return randomWalk(n, max, function(v)
    local rank = w.phi + (v - len1)
    if v < len1 then
      rank = w.lo + v
    end
    if rank ~= w.self then
      return redis.call('ZRANGE', w.key, rank, rank)[1]
    end
  end)
end

-- Group tiers: tier k's cumulative set is the group's own sorted set (the list itself for everyone), and tier k
-- is that minus the nearer group: drawn at random by rank, skipping the nearer group's members. A tier is
-- walked only once the nearer ones were handed out whole, so fewer than numwant are skipped.
local function groupAdvance(w, k)
  w.tier, w.prev = k, w.cur
  w.cur = k > tiers and w.key or groupKey(w.key, args[12 + 2 * k])
  w.curSize = redis.call('ZCARD', w.cur)
  w.curSelf = redis.call('ZSCORE', w.cur, entry) and 1 or 0
end

local function groupAvailableSoFar(w)
  return w.cur and w.curSize - w.curSelf or 0
end

local function groupTake(w, max)
  local n = w.curSize or 0
  if n == 0 or max <= 0 then
    return 0
  end
  return randomWalk(n, max, function(v)
    local member = redis.call('ZRANGE', w.cur, v, v)[1]
    if member ~= entry and not (w.prev and redis.call('ZSCORE', w.prev, member)) then
      return member
    end
  end)
end

-- The nearest tier holding a seeder (other than the announcer) when the leechers of all nearer tiers number at
-- least want, so that a plain walk would fill numwant with leechers only; otherwise nil.
local function reservedSeederTier(want)
  local s, l = walk(seeders, fs), walk(leechers, fl)
  for k = 1, tiers + 1 do
    advance(s, k)
    if availableSoFar(s) > 0 then
      -- l still stands at tier k - 1
      if l and availableSoFar(l) >= want then
        return k
      end
      return nil
    end
    if l then
      advance(l, k)
    end
  end
  return nil -- no seeder but the announcer: nothing to reserve
end

register('sg_announce', function(a)
  args = a
  -- now stays the caller's string: it only goes back to Redis, and a Lua number would be formatted each time
  now, event, seeder = a[3], a[4], a[5] == '1'
  me, myId, numWant = a[6], a[7], tonumber(a[8])
  seed = tonumber(a[9]) % 2147483646 + 1
  rackQuorum, bridgePeers, seededBridges = tonumber(a[10]), tonumber(a[11]), tonumber(a[12])
  tiers = (#a - 12) / 2
  if event == 'x' then
    local indexed, due = expireIfDue()
    if not indexed then
      return {0, 0} -- a stop for an unknown swarm makes none
    end
    remove(me)
    local complete, incomplete = counts()
    if complete + incomplete == 0 then
      setIndex(0) -- empty: the next sweep drops it
    elseif due then
      reindex()
    end
    return {complete, incomplete}
  end

  local indexed, due = expireIfDue()
  if not indexed then
    -- a new swarm; its first peer is now, and its score a lower bound from here on
    setIndex(now)
    redis.call('HSET', TIMELINE, 'first', now) -- its timeline starts (timeline.lua)
    redis.call('HINCRBY', TOTALS, 'swarms', 1)
  end
  if event == 'c' then
    redis.call('INCR', DOWNLOADED)
    seeder = true
  end
  -- the announcer's packed slot and list as stored (nil when new), its old entry when its peer_id changed, and
  -- its entry as it is now
  local stored, storedSlot, listed = storedEntry(me, myId)
  entry = me .. myId
  timeline(listed, seeder, now)
  seeders, leechers, fs, fl = lists(me)
  target, other = seeders, leechers
  local ft, fo = fs, fl
  if not seeder then
    target, other, ft, fo = leechers, seeders, fl, fs
  end
  if stored then
    -- the same address and port with a new peer_id (a restarted client): its old entry goes
    unlist(stored, storedSlot, listed)
    ungroup(me, stored)
    listed = nil
  end
  -- a peer is one address and port: in the seeders or the leechers, never both; one that stays where IDS says
  -- it is, with the same entry, costs no list command
  local moved = listed ~= (seeder and 's' or 'l')
  mySlot = storedSlot
  if moved then
    redis.call('ZADD', target, 0, entry)
    mySlot = packAdd(target, ft, entry)
    if listed then
      redis.call('ZREM', other, entry)
      packRemove(other, fo, storedSlot) -- the same entry, so stored at storedSlot
    end
    redis.call('HSET', IDS, me, idsValue(myId, target, mySlot))
  end
  redis.call('ZADD', SEEN, now, me)
  if due then
    reindex()
  end
  -- the counts after this announce: the answer's complete/incomplete and the list sizes for the selection
  local complete, incomplete
  complete, incomplete, sizes = counts()

  -- group tiers: index the announcer under its group keys (and nothing else), or under none
  local groupTiers = tiers > 0 and a[13] == ''
  if groupTiers then
    regroup(moved)
    advance, availableSoFar, take = groupAdvance, groupAvailableSoFar, groupTake
  else
    if sizes.g > 0 then
      ungroup(me, entry) -- placed before (the topology changed since): no longer
    end
    advance, availableSoFar, take = rankAdvance, rankAvailableSoFar, rankTake
  end

  out = {}
  -- peers handed out per tier, the last slot everyone else
  byTier = {}
  for k = 1, tiers + 1 do
    byTier[k] = 0
  end

  if numWant > 0 and tiers == 0 then
    -- no tiers: each list is one tier, taken from its packed string (what the walk below does then, without
    -- its tables and closures: most announces of a tracker without subnet preference come here)
    local written = 0
    if not seeder then
      written = packedTake(seeders, sizes[fs], target == seeders, numWant)
    end
    if written < numWant then
      written = written + packedTake(leechers, sizes[fl], target == leechers, numWant - written)
    end
    byTier[1] = written
  elseif numWant > 0 then
    -- a seeder gets leechers only; a leecher gets seeders first within each tier
    local s = nil
    if not seeder then
      s = walk(seeders, fs)
    end
    local l = walk(leechers, fl)
    local seedersAvailable = s and available(s) or 0
    local total = seedersAvailable + (l and available(l) or 0)
    local want = math.min(numWant, total)
    local farLimit = math.huge
    local farSeederCap = math.huge
    if want > 0 and tiers > 0 then
      -- the rack (tier 1) first: its count decides how many peers may come from farther away
      if s then
        advance(s, 1)
      end
      if l then
        advance(l, 1)
      end
      local nearSeeders = s and availableSoFar(s) or 0
      local near = nearSeeders + (l and availableSoFar(l) or 0)
      if rackQuorum > 0 then
        -- none from outside once the rack holds the quorum, seeded-rack bridges when it holds a seeder
        -- (PeerPreference.farLimit)
        if near >= rackQuorum then
          farLimit = 0
        elseif nearSeeders > 0 then
          farLimit = seededBridges
        else
          farLimit = bridgePeers
        end
      end
      want = math.min(numWant, near + math.min(farLimit, total - near))
      if farLimit ~= math.huge and s then
        -- at most one seeder among the bridges while leechers can fill the rest (PeerPreference.farSeederCap)
        local farLeechers = l and (available(l) - availableSoFar(l)) or 0
        farSeederCap = math.max(1, want - math.min(near, want) - farLeechers)
      end
    end
    if want > 0 then
      -- Never starve a rack of seeders: when the nearest tiers hold only leechers and those alone would fill
      -- numwant, the last place goes to a seeder from the nearest tier that has one. A rack served from within
      -- (no far peers allowed) is reached through its bridges instead.
      local seederTier = nil
      if seedersAvailable > 0 and tiers > 0 and farLimit > 0 then
        seederTier = reservedSeederTier(want)
      end
      local fill = seederTier and want - 1 or want
      local written = 0
      local farSeeders = 0
      for k = 1, tiers + 1 do
        if written >= fill then
          break
        end
        local before = written
        if s then
          if k > 1 or tiers == 0 then
            advance(s, k)
          end
          if k == 1 then
            written = written + take(s, fill - written)
          else
            local taken = take(s, math.min(fill - written, farSeederCap - farSeeders))
            farSeeders = farSeeders + taken
            written = written + taken
          end
        end
        if l and written < fill then
          if k > 1 or tiers == 0 then
            advance(l, k)
          end
          written = written + take(l, fill - written)
        end
        count(k, written - before)
      end
      if seederTier then
        -- the loop stopped before seederTier: the tiers it passed held no seeder
        while s.tier < seederTier do
          advance(s, s.tier + 1)
        end
        count(seederTier, take(s, 1))
      end
    end
  end

  local reply = {complete, incomplete, tiers + 1}
  for k = 1, tiers + 1 do
    reply[3 + k] = byTier[k]
  end
  -- The peers as strings of entries (member and 20-byte peer_id; all of the announcer's family) one after the
  -- other: the runs as read when few (a copy into one string would cost a hash of every byte), else one string
  -- (one bulk reply instead of one element per peer drawn by rank, which costs Redis and the client per element)
  if #out > MAX_PIECES then
    reply[#reply + 1] = table.concat(out)
  else
    for i = 1, #out do
      reply[#reply + 1] = out[i]
    end
  end
  return reply
end)
