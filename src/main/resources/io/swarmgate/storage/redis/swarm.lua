-- swarm: one swarm as an operator sees it (GET /swarms/<hex> on the metrics listener); read-only, never on the
-- announce path. args[3] the IPv4 and args[4] the IPv6 rack prefix length, args[5] the most racks to list.
-- Reply: {} for an unknown swarm, else {complete, incomplete, downloaded, first, seen, done, t50, t90, t100
-- (-1 when not reached), 1 when racks were left out else 0, then per rack: network member (address masked,
-- port 0000), seeders, leechers}, IPv4 racks first, each family in address order. One ZRANGEBYLEX and two
-- ZLEXCOUNTs per rack and list: O(racks listed x log n), whatever the swarm's size.

-- the first and last member of the /prefix network holding member
local function network(member, prefix)
  local n = (#member == 6 or #member == 26) and 4 or 16 -- a list entry
  local first, last = {}, {}
  for i = 1, n do
    local b = string.byte(member, i)
    local keep = prefix - 8 * (i - 1)
    if keep >= 8 then
      first[i], last[i] = b, b
    elseif keep <= 0 then
      first[i], last[i] = 0, 255
    else
      local span = 2 ^ (8 - keep)
      first[i] = b - b % span
      last[i] = first[i] + span - 1
    end
  end
  return string.char(unpack(first)) .. '\0\0', string.char(unpack(last)) .. '\255\255'
end

register('sg_swarm', function(args)
  if not redis.call('ZSCORE', INDEX, swarm) then
    return {}
  end
  local maxGroups = tonumber(args[5])

  local groups = {}
  local truncated = 0
  local function racks(s, l, prefix)
    local from = '-'
    while true do
      local a = redis.call('ZRANGEBYLEX', s, from, '+', 'LIMIT', 0, 1)[1]
      local b = redis.call('ZRANGEBYLEX', l, from, '+', 'LIMIT', 0, 1)[1]
      local next = a
      if not a or (b and b < a) then
        next = b
      end
      if not next then
        return
      end
      if #groups >= 3 * maxGroups then
        truncated = 1
        return
      end
      local first, last = network(next, prefix)
      groups[#groups + 1] = first
      groups[#groups + 1] = redis.call('ZLEXCOUNT', s, '[' .. first, '[' .. last .. MAX_ID)
      groups[#groups + 1] = redis.call('ZLEXCOUNT', l, '[' .. first, '[' .. last .. MAX_ID)
      from = '(' .. last .. MAX_ID
    end
  end
  racks(S4, L4, tonumber(args[3]))
  if truncated == 0 then
    racks(S6, L6, tonumber(args[4]))
  end

  local complete, incomplete = counts()
  local t = redis.call('HMGET', TIMELINE, 'first', 'seen', 'done', 't50', 't90', 't100')
  local reply = {complete, incomplete, tonumber(redis.call('GET', DOWNLOADED) or '0')}
  for i = 1, 6 do
    reply[3 + i] = tonumber(t[i] or '-1')
  end
  reply[5] = math.max(reply[5], 0)
  reply[6] = math.max(reply[6], 0)
  reply[10] = truncated
  for i, v in ipairs(groups) do
    reply[10 + i] = v
  end
  return reply
end)
