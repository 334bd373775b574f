-- requeue_job (body; lifecycle_lib.lua comes first): RQ's
-- FailedJobRegistry.requeue (rq-wire-format.md 3.14): ZREM from
-- rq:failed:<q>, started_at and ended_at "", exc_info zlib(""), then enqueue
-- as 3.1 into the job's origin (the registry's queue when it has none). The
-- 1-year failure TTL stays on the hash until a worker PERSISTs it.
--
-- A[1] queue of the failed registry   A[2] TS   A[3] zlib("") bytes
-- A[4] '1' = push to the front   A[5] mode: 'one' or 'all'
-- A[6] mode 'one': the job id; mode 'all': most ids handled in this call
-- Mode 'one' returns 'ok', 'nojob' (no hash; nothing changed) or 'notfailed'
-- (not in the failed registry; nothing changed). Mode 'all' takes the
-- lowest-scored ids of the registry, drops ids whose hash is gone and
-- returns {ids taken out, jobs requeued}; callers repeat while ids taken out
-- equals the limit.
local q, ts, empty_exc, at_front, mode = A[1], A[2], A[3], A[4] == '1', A[5]
local failed = key('failed', q)

local function requeue(id)
  local jkey = key('job', id)
  local origin = redis.call('HGET', jkey, 'origin')
  if not origin or origin == '' then origin = q end
  redis.call('HSET', jkey, 'started_at', '', 'ended_at', '', 'exc_info', empty_exc)
  push_job(id, origin, at_front, ts)
end

if mode == 'one' then
  local id = A[6]
  if redis.call('HEXISTS', key('job', id), 'data') == 0 then return 'nojob' end
  if redis.call('ZREM', failed, id) == 0 then return 'notfailed' end
  requeue(id)
  return 'ok'
end

local ids = redis.call('ZRANGE', failed, 0, tonumber(A[6]) - 1)
local requeued = 0
for _, id in ipairs(ids) do
  redis.call('ZREM', failed, id)
  if redis.call('HEXISTS', key('job', id), 'data') == 1 then
    requeue(id)
    requeued = requeued + 1
  end
end
return {#ids, requeued}
