-- worker_death: a worker's clean exit (docs/redis-layout.md 1.5).
--
-- ARG: worker (name), queues (its queue names), ts, ttl (how long the hash
-- with `death` stays).
-- Returns 1.
local wkey = key('worker', ARG.worker)
local sets = {key('workers')}
for _, q in ipairs(ARG.queues) do sets[#sets + 1] = key('queue_workers', q) end
want(wkey, 'hash')
for _, s in ipairs(sets) do want(s, 'set') end
for _, s in ipairs(sets) do redis.call('SREM', s, wkey) end
redis.call('HSET', wkey, 'death', ARG.ts)
redis.call('EXPIRE', wkey, ARG.ttl)
return 1
