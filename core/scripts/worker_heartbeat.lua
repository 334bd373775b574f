-- worker_heartbeat: keeps a worker (and its running job) visibly alive
-- (docs/redis-layout.md 1.5 and 3.7).
--
-- ARG: worker (name), ts, ttl (worker key TTL); while busy also: id (the
-- running job), origin, working_time (current_job_working_time), score
-- (its new rq:wip:<origin> score).
-- Returns 1, or 0 when the worker key is gone (the worker must register
-- again; nothing changed).
local wkey = key('worker', ARG.worker)
want(wkey, 'hash')
if redis.call('EXISTS', wkey) == 0 then return 0 end
local jkey, wip
if ARG.id then
  jkey, wip = key('job', ARG.id), key('started', ARG.origin)
  want(jkey, 'hash')
  want(wip, 'zset')
end
redis.call('HSET', wkey, 'last_heartbeat', ARG.ts)
redis.call('EXPIRE', wkey, ARG.ttl)
if jkey then
  redis.call('HSET', wkey, 'current_job_working_time', ARG.working_time)
  -- a new field means the job hash had been deleted: do not resurrect it
  if redis.call('HSET', jkey, 'last_heartbeat', ARG.ts) == 1 then redis.call('DEL', jkey) end
  redis.call('ZADD', wip, 'XX', ARG.score, ARG.id)
end
return 1
