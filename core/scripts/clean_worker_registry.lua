-- clean_worker_registry: RQ's clean_worker_registry(queue)
-- (docs/redis-layout.md 1.5, 5): drop every member of rq:workers:<q> whose
-- worker hash is gone from that set and from rq:workers.
--
-- ARG: queue.
-- Returns how many members were dropped.
local qkey, all = key('queue_workers', ARG.queue), key('workers')
want(qkey, 'set')
want(all, 'set')
local gone = {}
for _, w in ipairs(redis.call('SMEMBERS', qkey)) do
  if redis.call('EXISTS', w) == 0 then gone[#gone + 1] = w end
end
for _, w in ipairs(gone) do
  redis.call('SREM', qkey, w)
  redis.call('SREM', all, w)
end
return #gone
