-- delete_job (body; lifecycle_lib.lua comes first): RQ's Job.delete
-- (rq-wire-format.md 3.14): LREM from its queue, ZREM from the registry of
-- its status, optionally the same for every dependent (one level, as RQ),
-- then DEL rq:job:<id>, rq:job:<id>:dependents, rq:job::<id>:dependencies.
-- rq:results:<id> is kept, as RQ keeps it.
--
-- A[1] job id   A[2] '1' = delete dependents too
-- A[3] origin, A[4] status to use when the hash is gone (the caller's snapshot)
-- Returns the number of job hashes deleted.
local function forget(id, origin, status)
  if origin and origin ~= '' then redis.call('LREM', key('queue', origin), 1, id) end
  remove_from_registry(id, origin, status)
  return redis.call('DEL', key('job', id), key('dependents', id), key('dependencies', id)) > 0
end

local id = A[1]
local deleted = 0
if A[2] == '1' then
  for _, dep in ipairs(redis.call('SMEMBERS', key('dependents', id))) do
    local d = redis.call('HMGET', key('job', dep), 'origin', 'status')
    if redis.call('EXISTS', key('job', dep)) == 1 and forget(dep, d[1], d[2]) then
      deleted = deleted + 1
    end
  end
end
local h = redis.call('HMGET', key('job', id), 'origin', 'status')
local existed = redis.call('EXISTS', key('job', id)) == 1
forget(id, h[1] or A[3], h[2] or A[4])
if existed then deleted = deleted + 1 end
return deleted
