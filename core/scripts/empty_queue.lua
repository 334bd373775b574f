-- empty_queue: Queue.empty() as RQ's own script (docs/redis-layout.md 3.14):
-- pop every id and delete its job hash and dependents set. Registries,
-- ::dependencies sets and results are left alone, as RQ leaves them.
--
-- ARG: queue.
-- Returns the number of ids removed.
local qkey = key('queue', ARG.queue)
want(qkey, 'list')
local ids = redis.call('LRANGE', qkey, 0, -1)
redis.call('DEL', qkey)
for _, id in ipairs(ids) do
  redis.call('DEL', key('job', id))
  redis.call('DEL', key('dependents', id))
end
return #ids
