-- Enqueue one job atomically (rq-wire-format.md 3.1, and 3.2 with dependencies).
--
-- KEYS[1] rq:job:<id>                 KEYS[2] rq:queue:<q>
-- KEYS[3] rq:queues                   KEYS[4] rq:deferred:<q>
-- KEYS[5] rq:job:<id>:dependents      KEYS[6] rq:job::<id>:dependencies
-- KEYS[7..] per dependency: rq:job:<dep>, rq:job:<dep>:dependents
-- ARGV[1] job id   ARGV[2] NOW (unix seconds)   ARGV[3] enqueued_at TS
-- ARGV[4] "1" = push to the front   ARGV[5] ttl seconds or ""
-- ARGV[6] n = number of dependency ids, ARGV[7 .. 6+n] the ids
-- ARGV[7+n ..] field, value pairs of the job hash, without status/enqueued_at
-- Returns the status written: "queued" or "deferred".
local job_key, queue_key = KEYS[1], KEYS[2]
local id, now, enqueued_at = ARGV[1], ARGV[2], ARGV[3]
local at_front, ttl = ARGV[4] == '1', ARGV[5]
local ndeps = tonumber(ARGV[6])
local first_field = 7 + ndeps

-- Dependencies whose hash is gone are met; otherwise only "finished" is.
local deferred = false
for i = 7, #KEYS, 2 do
  if redis.call('EXISTS', KEYS[i]) == 1 and redis.call('HGET', KEYS[i], 'status') ~= 'finished' then
    deferred = true
    break
  end
end

-- One HSET, status first: the hash (and its field order) RQ's enqueue leaves,
-- which sets the status before saving the other fields.
local status = deferred and 'deferred' or 'queued'
local fields = {'status', status}
for i = first_field, #ARGV do fields[#fields + 1] = ARGV[i] end

if deferred then
  redis.call('ZADD', KEYS[4], now, id)
  for i = 1, ndeps do
    redis.call('SADD', KEYS[6 + 2 * i], id)
    redis.call('SADD', KEYS[6], ARGV[6 + i])
  end
else
  redis.call('SADD', KEYS[3], queue_key)
  fields[#fields + 1] = 'enqueued_at'
  fields[#fields + 1] = enqueued_at
end
redis.call('HSET', job_key, unpack(fields))

if ttl ~= '' then
  redis.call('EXPIRE', job_key, ttl)
  redis.call('EXPIRE', KEYS[5], ttl)
  redis.call('EXPIRE', KEYS[6], ttl)
end

if not deferred then
  if at_front then
    redis.call('LPUSH', queue_key, id)
  else
    redis.call('RPUSH', queue_key, id)
  end
end
return status
