-- schedule_due (body; lifecycle_lib.lua comes first): one scheduler pass
-- (rq-wire-format.md 1.8 and 3.3) over the queues this scheduler holds or
-- tries to take. Checking the lock and moving jobs happen in the same atomic
-- call, so a scheduler whose lock lapsed and was taken by another process
-- never moves a job the new holder also moves.
--
-- A[1] lock value (the scheduler's pid, as RQ writes it)   A[2] NOW
-- A[3] TS for enqueued_at   A[4] lock TTL seconds   A[5] most jobs moved per
-- queue and call (0: only the locks)   A[6] n, then n pairs (queue name, mode):
--   mode 'held': we hold the lock: EXPIRE it if it is still ours;
--   mode 'try':  SET lock value NX EX ttl.
-- For every held queue, each id with score <= NOW is moved into its queue as
-- RQ's Queue.enqueue_job does (LPUSH when the hash says enqueue_at_front 1)
-- and ZREMed; an id whose hash is gone is only ZREMed (RQ leaves it behind
-- for good).
-- Returns n pairs {1 if the lock is held after the call else 0, jobs moved}.
local token, now, ts, ttl, limit = A[1], A[2], A[3], A[4], tonumber(A[5])
local out = {}
for i = 1, tonumber(A[6]) do
  local q, mode = A[5 + 2 * i], A[6 + 2 * i]
  local lock = key('scheduler_lock', q)
  local held
  if mode == 'held' then
    held = redis.call('GET', lock) == token
    if held then redis.call('EXPIRE', lock, ttl) end
  else
    held = redis.call('SET', lock, token, 'NX', 'EX', ttl) ~= false
  end
  local moved = 0
  if held and limit > 0 then
    local skey = key('scheduled', q)
    for _, id in ipairs(redis.call('ZRANGEBYSCORE', skey, 0, now, 'LIMIT', 0, limit)) do
      local jkey = key('job', id)
      if redis.call('EXISTS', jkey) == 1 then
        redis.call('HSET', jkey, 'origin', q)  -- enqueue_job sets origin to its queue
        push_job(id, q, redis.call('HGET', jkey, 'enqueue_at_front') == '1', ts)
        moved = moved + 1
      end
      redis.call('ZREM', skey, id)
    end
  end
  out[#out + 1] = held and 1 or 0
  out[#out + 1] = moved
end
return out
