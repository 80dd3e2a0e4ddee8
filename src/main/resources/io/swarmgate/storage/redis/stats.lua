-- stats: the swarm's counts for a scrape. Reply: {complete, incomplete, downloaded}
register('sg_stats', function(args)
  local complete, incomplete = counts()
  return {complete, incomplete, tonumber(redis.call('GET', DOWNLOADED) or '0')}
end)
