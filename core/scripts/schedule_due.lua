-- schedule_due: one scheduler pass (docs/redis-layout.md 1.8 and 3.3) over the
-- queues this scheduler holds or tries to take. Checking the lock and moving
-- jobs happen in the same atomic call, so a scheduler whose lock lapsed and
-- was taken by another process never moves a job the new holder also moves.
--
-- ARG: token (lock value: the scheduler's pid, as RQ writes it), now, ts
-- (enqueued_at), ttl (lock TTL seconds), limit (most jobs moved per queue
-- and call; 0: only the locks), queues: a list of {queue, mode} where
--   mode 'held': we hold the lock: EXPIRE it if it is still ours;
--   mode 'try':  SET lock token NX EX ttl.
-- For every held queue, each id with score <= now is moved into its queue
-- as RQ's Queue.enqueue_job does (LPUSH when the hash says enqueue_at_front
-- 1) and ZREMed; an id whose hash is gone is only ZREMed (RQ leaves it
-- behind for good).
-- Returns one pair per queue: {1 if the lock is held after the call else 0,
-- jobs moved}.

-- Reads and checks first: per queue, whether the lock is (or will be) ours
-- and the due ids with whether each still has a hash.
local plans = {}
for i, qm in ipairs(ARG.queues) do
  local q, mode = qm[1], qm[2]
  local lock = key('scheduler_lock', q)
  want(lock, 'string')
  local held
  if mode == 'held' then
    held = redis.call('GET', lock) == ARG.token
  else
    held = redis.call('EXISTS', lock) == 0
  end
  local p = {q = q, mode = mode, lock = lock, held = held, due = {}}
  if held and ARG.limit > 0 then
    local skey = key('scheduled', q)
    want(skey, 'zset')
    for _, id in ipairs(redis.call('ZRANGEBYSCORE', skey, 0, ARG.now, 'LIMIT', 0, ARG.limit)) do
      local jkey = key('job', id)
      want(jkey, 'hash')
      local exists = redis.call('EXISTS', jkey) == 1
      if exists then check_push(id, q) end
      p.due[#p.due + 1] = {id, exists}
    end
  end
  plans[i] = p
end

local out = {}
for _, p in ipairs(plans) do
  if p.held then
    if p.mode == 'held' then
      redis.call('EXPIRE', p.lock, ARG.ttl)
    else
      redis.call('SET', p.lock, ARG.token, 'NX', 'EX', ARG.ttl)
    end
  end
  local moved = 0
  for _, d in ipairs(p.due) do
    local id = d[1]
    if d[2] then
      local jkey = key('job', id)
      redis.call('HSET', jkey, 'origin', p.q)  -- enqueue_job sets origin to its queue
      push_job(id, p.q, redis.call('HGET', jkey, 'enqueue_at_front') == '1', ARG.ts)
      moved = moved + 1
    end
    redis.call('ZREM', key('scheduled', p.q), id)
  end
  out[#out + 1] = p.held and 1 or 0
  out[#out + 1] = moved
end
return out
