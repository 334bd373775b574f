-- requeue_job: RQ's FailedJobRegistry.requeue (docs/redis-layout.md 3.14): ZREM
-- from rq:failed:<q>, started_at and ended_at "", exc_info zlib(""), then
-- enqueue as 3.1 into the job's origin (the registry's queue when it has
-- none). The 1-year failure TTL stays on the hash until a worker PERSISTs
-- it.
--
-- ARG: queue (of the failed registry), ts, empty_exc_info (zlib("") bytes),
-- at_front (flag), then either id (requeue that job) or limit (requeue the
-- `limit` lowest-scored ids of the registry).
-- With id returns 'ok', 'nojob' (no hash; nothing changed) or 'notfailed'
-- (not in the failed registry; nothing changed). With limit drops ids whose
-- hash is gone and returns {ids taken out, jobs requeued}; callers repeat
-- while ids taken out equals the limit.
local q = ARG.queue
local failed = key('failed', q)
want(failed, 'zset')

-- Reads and checks of requeueing one job: its origin.
local function plan(id)
  local jkey = key('job', id)
  want(jkey, 'hash')
  local origin = redis.call('HGET', jkey, 'origin')
  if not origin or origin == '' then origin = q end
  check_push(id, origin)
  return origin
end

local function requeue(id, origin)
  redis.call('HSET', key('job', id), 'started_at', '', 'ended_at', '', 'exc_info',
             ARG.empty_exc_info)
  push_job(id, origin, ARG.at_front, ARG.ts)
end

if ARG.id then
  local id = ARG.id
  local jkey = key('job', id)
  want(jkey, 'hash')
  if redis.call('HEXISTS', jkey, 'data') == 0 then return 'nojob' end
  if not redis.call('ZSCORE', failed, id) then return 'notfailed' end
  local origin = plan(id)
  redis.call('ZREM', failed, id)
  requeue(id, origin)
  return 'ok'
end

local ids = redis.call('ZRANGE', failed, 0, ARG.limit - 1)
local origins = {}
for i, id in ipairs(ids) do
  local jkey = key('job', id)
  want(jkey, 'hash')
  if redis.call('HEXISTS', jkey, 'data') == 1 then origins[i] = plan(id) end
end
local requeued = 0
for i, id in ipairs(ids) do
  redis.call('ZREM', failed, id)
  if origins[i] then
    requeue(id, origins[i])
    requeued = requeued + 1
  end
end
return {#ids, requeued}
