-- stats: the swarm's counts for a scrape. Reply: {complete, incomplete, downloaded}
local complete, incomplete = counts()
return {complete, incomplete, tonumber(redis.call('GET', DOWNLOADED) or '0')}
