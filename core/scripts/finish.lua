-- finish: records a job's outcome exactly as RQ 1.13 does (wire doc 3.8
-- success, 3.9 failure, 3.10 retries, 3.13 dependents), then takes the next
-- job. Never sent alone: the worker sends take.lua (which defines cfg, key(),
-- queues_key and take() and documents ARGV 1..29+n), then
-- job_transitions.lua (retry_job, release_dependents, push_job), then this
-- file, as one script. Arguments from 30+n:
--   +0 job id   +1 origin   +2 status: 'finished' | 'failed' | 'stopped'
--   +3 payload: base64 return value ('finished', '' for None) or base64
--      zlib exc_string   +4 '1' when a return value is given
--   +5 working time in seconds (float text)   +6 '1' when meta changed
--   +7 meta bytes (job serializer)   +8 default result_ttl
--   +9 '1' to take the next job in the same call
--
-- Idempotent: when the job is no longer 'started' by this worker (the reply
-- of an earlier, applied call was lost), nothing but the worker's
-- current_job bookkeeping is touched. Returns {finish state, take reply...}
-- where finish state is 'done', 'retried' or 'skipped'; without +9 the take
-- reply is absent.

local base = 30 + #cfg.queues
local job = {
  id = ARGV[base], origin = ARGV[base + 1], status = ARGV[base + 2], payload = ARGV[base + 3],
  has_value = ARGV[base + 4] == '1', working = ARGV[base + 5], meta_set = ARGV[base + 6] == '1',
  meta = ARGV[base + 7], default_result_ttl = tonumber(ARGV[base + 8]),
  take_next = ARGV[base + 9] == '1'
}

local function expire_job_keys(id, ttl)
  for _, k in ipairs({key('job', id), key('dependents', id), key('dependencies', id)}) do
    redis.call('EXPIRE', k, ttl)
  end
end

local function succeed(jkey, h)
  if cfg.mode ~= 'sync' then
    redis.call('HINCRBY', KEYS[1], 'successful_job_count', 1)
    redis.call('HINCRBYFLOAT', KEYS[1], 'total_working_time', job.working)
  end
  release_dependents(job.id, 'finished', cfg.ts)
  local ttl = tonumber(h[3]) or job.default_result_ttl
  if ttl == 0 then  -- result_ttl 0: nothing is kept
    redis.call('ZREM', key('finished', job.origin), job.id)
    redis.call('DEL', jkey, key('dependents', job.id), key('dependencies', job.id))
    return 'done'
  end
  redis.call('HSET', jkey, 'status', 'finished', 'ended_at', cfg.ts)
  local rkey = key('results', job.id)
  if job.has_value then
    redis.call('XADD', rkey, 'MAXLEN', '~', '10', '*', 'type', '1', 'return_value', job.payload)
  else
    redis.call('XADD', rkey, 'MAXLEN', '~', '10', '*', 'type', '1')
  end
  if ttl < 0 then
    redis.call('PERSIST', rkey)
    redis.call('ZADD', key('finished', job.origin), '+inf', job.id)
  else
    redis.call('EXPIRE', rkey, ttl)
    redis.call('ZADD', key('finished', job.origin), cfg.now + ttl, job.id)
    expire_job_keys(job.id, ttl)
  end
  return 'done'
end

local function fail(jkey, h)
  if cfg.mode ~= 'sync' then
    redis.call('HINCRBY', KEYS[1], 'failed_job_count', 1)
    redis.call('HINCRBYFLOAT', KEYS[1], 'total_working_time', job.working)
  end
  local retries = tonumber(h[5])
  if job.status == 'failed' and retries and retries > 0 then
    -- 3.10: re-enqueued or scheduled, no result entry (job_transitions.lua)
    redis.call('HSET', jkey, 'ended_at', cfg.ts)
    retry_job(job.id, job.origin, retries, h[6], cfg.now, cfg.ts)
    return 'retried'
  end
  local ttl_field = tonumber(h[4])
  local ttl = ttl_field or 31536000
  redis.call('HSET', jkey, 'status', job.status, 'ended_at', cfg.ts)
  local score = ttl
  if ttl >= 0 then score = cfg.now + ttl end
  redis.call('ZADD', key('failed', job.origin), score, job.id)
  local rkey = key('results', job.id)
  redis.call('XADD', rkey, 'MAXLEN', '~', '10', '*', 'type', '2', 'exc_string', job.payload)
  if ttl_field then
    if ttl_field < 0 then redis.call('PERSIST', rkey) else redis.call('EXPIRE', rkey, ttl_field) end
  end
  release_dependents(job.id, job.status, cfg.ts)
  if ttl >= 0 then expire_job_keys(job.id, ttl) end
  return 'done'
end

local function finish()
  local wkey = KEYS[1]
  local jkey = key('job', job.id)
  if cfg.mode ~= 'sync' and redis.call('HGET', wkey, 'current_job') == job.id then
    redis.call('HDEL', wkey, 'current_job')
    redis.call('HSET', wkey, 'current_job_working_time', '0', 'state', 'idle', 'last_heartbeat',
               cfg.ts)
    redis.call('EXPIRE', wkey, cfg.idle_ttl)
  end
  local h = redis.call('HMGET', jkey, 'status', 'worker_name', 'result_ttl', 'failure_ttl',
                       'retries_left', 'retry_intervals')
  if not h[1] then  -- the job was deleted while it ran: only our registry entry is left
    redis.call('ZREM', key('started', job.origin), job.id)
    return 'skipped'
  end
  if h[1] ~= 'started' or h[2] ~= cfg.worker then return 'skipped' end
  redis.call('ZREM', key('started', job.origin), job.id)
  if job.meta_set then redis.call('HSET', jkey, 'meta', job.meta) end
  if job.status == 'finished' then return succeed(jkey, h) end
  return fail(jkey, h)
end

local state = finish()
if job.take_next then
  local reply = take()
  table.insert(reply, 1, state)
  return reply
end
return {state}
