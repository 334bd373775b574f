-- enqueue: one job, atomically (docs/redis-layout.md 3.1, and 3.2 with
-- dependencies).
--
-- ARG: id, queue, now (Unix seconds), ts (enqueued_at), at_front (flag),
-- ttl (seconds; absent: none), deps (dependency ids), fields (the job
-- hash's field, value pairs in order, without status and enqueued_at).
-- Returns the status written: 'queued' or 'deferred'.
local id = ARG.id
local jkey, qkey = key('job', id), key('queue', ARG.queue)
local dependents, dependencies = key('dependents', id), key('dependencies', id)
want(jkey, 'hash')
want(qkey, 'list')
want(key('queues'), 'set')

-- Dependencies whose hash is gone are met; otherwise only "finished" is.
-- Only a job with dependencies can write the deferred registry and the
-- dependency sets.
local deferred = false
if #ARG.deps > 0 then
  want(key('deferred', ARG.queue), 'zset')
  want(dependencies, 'set')
end
for _, dep in ipairs(ARG.deps) do
  local dkey = key('job', dep)
  want(key('dependents', dep), 'set')
  local status = read('hash', 'HGET', dkey, 'status')
  if not deferred and status ~= 'finished' and redis.call('EXISTS', dkey) == 1 then
    deferred = true
  end
end

-- One HSET, status first: the hash (and its field order) RQ's enqueue
-- leaves, which sets the status before saving the other fields.
local status = deferred and 'deferred' or 'queued'
local fields = {'status', status}
for _, v in ipairs(ARG.fields) do fields[#fields + 1] = v end

if deferred then
  redis.call('ZADD', key('deferred', ARG.queue), ARG.now, id)
  for _, dep in ipairs(ARG.deps) do
    redis.call('SADD', key('dependents', dep), id)
    redis.call('SADD', dependencies, dep)
  end
else
  redis.call('SADD', key('queues'), qkey)
  fields[#fields + 1] = 'enqueued_at'
  fields[#fields + 1] = ARG.ts
end
redis.call('HSET', jkey, unpack(fields))

if ARG.ttl then
  redis.call('EXPIRE', jkey, ARG.ttl)
  redis.call('EXPIRE', dependents, ARG.ttl)
  redis.call('EXPIRE', dependencies, ARG.ttl)
end

if not deferred then redis.call(ARG.at_front and 'LPUSH' or 'RPUSH', qkey, id) end
return status
