-- cancel_job (body; lifecycle_lib.lua comes first): RQ's Job.cancel
-- (rq-wire-format.md 3.14): status canceled, LREM from its queue, ZREM from
-- the registry of its old status, ZADD rq:canceled:<q> NOW. The hash keeps
-- its TTL. With enqueue_dependents, first releases (3.13) every dependent
-- whose other dependencies are met, the canceled job itself counting as met
-- (RQ's enqueue_dependents(exclude_job_id=job)).
--
-- A[1] job id   A[2] NOW   A[3] TS   A[4] '1' = enqueue dependents
-- A[5] origin to use when the hash has none
-- Returns 'ok', 'nojob' (no hash: nothing changed) or 'canceled' (already
-- canceled: nothing changed).
local id, now, ts = A[1], A[2], A[3]
local jkey = key('job', id)
if redis.call('EXISTS', jkey) == 0 then return 'nojob' end
local h = redis.call('HMGET', jkey, 'status', 'origin')
if h[1] == 'canceled' then return 'canceled' end
local origin = h[2] or A[5]

-- RQ's enqueue_dependents(exclude_job_id=job): the canceled job counts as met
if A[4] == '1' then release_dependents(id, 'canceled', ts) end
redis.call('HSET', jkey, 'status', 'canceled')
if origin and origin ~= '' then
  redis.call('LREM', key('queue', origin), 1, id)
  remove_from_registry(id, origin, h[1])
  redis.call('ZADD', key('canceled', origin), now, id)
end
return 'ok'
