-- enqueue_many: jobs without dependencies, atomically, many per call: for
-- each job the writes of enqueue.lua for such a job (docs/redis-layout.md
-- 3.1), with what the jobs share done once: one SADD rq:queues, one RPUSH
-- (or LPUSH) of all ids, and the hash fields the jobs of the call have in
-- common sent once, as a template (status first, as enqueue.lua leaves the
-- hash).
--
-- ARG: queue, at_front (flag), ttl (seconds; absent: none; then EXPIRE of
-- each hash and of its dependents and dependencies keys, as enqueue.lua),
-- template (field, value pairs in order), slots (the template positions of
-- the values each job has of its own), jobs (per job {id, its values in
-- slots order}).
-- Returns the number of jobs queued.
local qkey = key('queue', ARG.queue)
local template, slots = ARG.template, ARG.slots
local s = #slots
want(qkey, 'list')
-- One EXISTS per call in the common case (fresh ids); TYPE per job only
-- when some hash exists already (a reused job_id).
local job_keys = {}
for i, job in ipairs(ARG.jobs) do job_keys[i] = key('job', job[1]) end
for i = 1, #job_keys, 1000 do
  local slice = {unpack(job_keys, i, math.min(i + 999, #job_keys))}
  if redis.call('EXISTS', unpack(slice)) > 0 then
    for _, k in ipairs(slice) do want(k, 'hash') end
  end
end

-- The first job whose hash did not exist gets the whole template by HSET;
-- the others are COPYs of that hash (one allocation and memcpy of its
-- listpack, instead of parsing and inserting every field again) plus an
-- HSET of their own values. COPY does not overwrite: a job whose hash
-- exists already (a reused job_id) gets the HSET of the template, as
-- enqueue.lua. Where COPY is denied (an ACL user without it) every job
-- gets the HSET.
local source, can_copy, probed = nil, true, false
local own = {}
for j = 1, s do own[2 * j - 1] = template[slots[j] - 1] end

first_write('set', 'SADD', key('queues'), qkey)
local ids = {}
for n, job in ipairs(ARG.jobs) do
  local id, jkey = job[1], job_keys[n]
  for j = 1, s do template[slots[j]] = job[1 + j] end
  local copied = false
  if source and can_copy and jkey ~= source then
    local reply
    if probed then
      reply = redis.call('COPY', source, jkey)
    else
      reply = redis.pcall('COPY', source, jkey)
      probed = true
      if type(reply) == 'table' and reply.err then can_copy, reply = false, 0 end
    end
    copied = reply == 1
  end
  if copied then
    if s > 0 then
      for j = 1, s do own[2 * j] = template[slots[j]] end
      redis.call('HSET', jkey, unpack(own))
    end
  else
    if not source and redis.call('EXISTS', jkey) == 0 then source = jkey end
    redis.call('HSET', jkey, unpack(template))
  end
  if ARG.ttl then
    redis.call('EXPIRE', jkey, ARG.ttl)
    redis.call('EXPIRE', key('dependents', id), ARG.ttl)
    redis.call('EXPIRE', key('dependencies', id), ARG.ttl)
  end
  ids[n] = id
end

-- unpack() is bounded by Lua's stack: push in slices, in order.
local push = ARG.at_front and 'LPUSH' or 'RPUSH'
for i = 1, #ids, 1000 do
  redis.call(push, qkey, unpack(ids, i, math.min(i + 999, #ids)))
end
return #ids
