-- delete_job: RQ's Job.delete (docs/redis-layout.md 3.14): LREM from its queue,
-- ZREM from the registry of its status, optionally the same for every
-- dependent (one level, as RQ), then DEL rq:job:<id>,
-- rq:job:<id>:dependents, rq:job::<id>:dependencies. rq:results:<id> is
-- kept, as RQ keeps it.
--
-- ARG: id, delete_dependents (flag), origin and status (the caller's
-- snapshot, used when the hash is gone).
-- Returns the number of job hashes deleted.

-- Reads and checks of forgetting one job: {id, origin, status, existed}.
local function plan_forget(id, origin, status)
  local jkey = key('job', id)
  want(jkey, 'hash')
  want(key('dependents', id), 'set')
  local h = redis.call('HMGET', jkey, 'origin', 'status')
  local existed = redis.call('EXISTS', jkey) == 1
  local f = {id, h[1] or origin, h[2] or status, existed}
  if f[2] and f[2] ~= '' then
    want(key('queue', f[2]), 'list')
    local registry = registry_of_status[f[3] or '']
    if registry then want(key(registry, f[2]), 'zset') end
  end
  return f
end

local plans = {}
want(key('dependents', ARG.id), 'set')
if ARG.delete_dependents then
  for _, dep in ipairs(redis.call('SMEMBERS', key('dependents', ARG.id))) do
    local f = plan_forget(dep, nil, nil)
    if f[4] then plans[#plans + 1] = f end
  end
end
plans[#plans + 1] = plan_forget(ARG.id, ARG.origin, ARG.status)

local deleted = 0
for _, f in ipairs(plans) do
  if f[2] and f[2] ~= '' then redis.call('LREM', key('queue', f[2]), 1, f[1]) end
  remove_from_registry(f[1], f[2], f[3])
  redis.call('DEL', key('job', f[1]), key('dependents', f[1]), key('dependencies', f[1]))
  if f[4] then deleted = deleted + 1 end
end
return deleted
