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

local function release_dependents()
  local dkey = key('dependents', id)
  local members = redis.call('SMEMBERS', dkey)
  if #members == 0 then return end
  local released = {}
  for _, dep in ipairs(members) do
    local d = redis.call('HMGET', key('job', dep), 'data', 'status', 'origin',
                         'allow_dependency_failures', 'enqueue_at_front')
    if d[1] and d[2] ~= 'canceled' then
      local allow, met = d[4] == '1', true
      for _, other in ipairs(redis.call('SMEMBERS', key('dependencies', dep))) do
        if other ~= id then
          -- a dependency whose hash (or status) is gone counts as met, as in RQ
          local st = redis.call('HGET', key('job', other), 'status')
          if st and not (st == 'finished' or (allow and st == 'failed')) then
            met = false
            break
          end
        end
      end
      if met and d[3] and d[3] ~= '' then
        redis.call('ZREM', key('deferred', d[3]), dep)
        push_job(dep, d[3], d[5] == '1', ts)
        released[#released + 1] = dep
      end
    end
  end
  if #released == #members then
    redis.call('DEL', dkey)
  elseif #released > 0 then
    redis.call('SREM', dkey, unpack(released))
  end
end

if A[4] == '1' then release_dependents() end
redis.call('HSET', jkey, 'status', 'canceled')
if origin and origin ~= '' then
  redis.call('LREM', key('queue', origin), 1, id)
  remove_from_registry(id, origin, h[1])
  redis.call('ZADD', key('canceled', origin), now, id)
end
return 'ok'
