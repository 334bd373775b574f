-- cancel_job: RQ's Job.cancel (docs/redis-layout.md 3.14): status canceled, LREM
-- from its queue, ZREM from the registry of its old status, ZADD
-- rq:canceled:<q> NOW. The hash keeps its TTL. With enqueue_dependents,
-- first releases (3.13) every dependent whose other dependencies are met,
-- the canceled job itself counting as met (RQ's
-- enqueue_dependents(exclude_job_id=job)).
--
-- ARG: id, now, ts, enqueue_dependents (flag), origin (used when the hash
-- has none).
-- Returns 'ok', 'nojob' (no hash: nothing changed) or 'canceled' (already
-- canceled: nothing changed).
local id = ARG.id
local jkey = key('job', id)
want(jkey, 'hash')
if redis.call('EXISTS', jkey) == 0 then return 'nojob' end
local h = redis.call('HMGET', jkey, 'status', 'origin')
if h[1] == 'canceled' then return 'canceled' end
local origin = h[2] or ARG.origin
local has_origin = origin and origin ~= ''
if has_origin then
  want(key('queue', origin), 'list')
  want(key('canceled', origin), 'zset')
  local registry = registry_of_status[h[1] or '']
  if registry then want(key(registry, origin), 'zset') end
end
local plan = ARG.enqueue_dependents and plan_release(id, 'canceled')

if plan then release(plan, ARG.ts) end
redis.call('HSET', jkey, 'status', 'canceled')
if has_origin then
  redis.call('LREM', key('queue', origin), 1, id)
  remove_from_registry(id, origin, h[1])
  redis.call('ZADD', key('canceled', origin), ARG.now, id)
end
return 'ok'
