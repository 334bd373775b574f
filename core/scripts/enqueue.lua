-- enqueue: one job, atomically (docs/redis-layout.md 3.1, and 3.2 with
-- dependencies).
--
-- ARG: id, queue, now (Unix seconds), at_front (flag), ttl (seconds;
-- absent: none), deps (dependency ids), fields (the job hash's field,
-- value pairs as a queued job has them: 'status', 'queued' first,
-- 'enqueued_at', <TS> last; RQ's enqueue sets the status before saving
-- the other fields).
-- Returns the status written: 'queued' or 'deferred'.
local id, queue = ARG.id, ARG.queue
local jkey, qkey = key('job', id), key('queue', queue)
want(jkey, 'hash')
want(qkey, 'list')

-- Dependencies whose hash is gone are met; otherwise only "finished" is.
-- Only a job with dependencies can write the deferred registry and the
-- dependency sets.
local deferred = false
if #ARG.deps > 0 then
  want(key('deferred', queue), 'zset')
  want(key('dependencies', id), 'set')
end
for _, dep in ipairs(ARG.deps) do
  local dkey = key('job', dep)
  want(key('dependents', dep), 'set')
  local status = read('hash', 'HGET', dkey, 'status')
  if not deferred and status ~= 'finished' and redis.call('EXISTS', dkey) == 1 then
    deferred = true
  end
end

local fields = ARG.fields
if deferred then
  fields[2] = 'deferred'  -- and no enqueued_at
  fields[#fields] = nil
  fields[#fields] = nil
  redis.call('ZADD', key('deferred', queue), ARG.now, id)
  local dependencies = key('dependencies', id)
  for _, dep in ipairs(ARG.deps) do
    redis.call('SADD', key('dependents', dep), id)
    redis.call('SADD', dependencies, dep)
  end
else
  first_write('set', 'SADD', key('queues'), qkey)
end
redis.call('HSET', jkey, unpack(fields))

if ARG.ttl then
  redis.call('EXPIRE', jkey, ARG.ttl)
  redis.call('EXPIRE', key('dependents', id), ARG.ttl)
  redis.call('EXPIRE', key('dependencies', id), ARG.ttl)
end

if deferred then return 'deferred' end
redis.call(ARG.at_front and 'LPUSH' or 'RPUSH', qkey, id)
return 'queued'
