-- finish: records a job's outcome exactly as RQ 1.13 does (wire doc 3.8
-- success, 3.9 failure, 3.10 retries, 3.13 dependents), then takes the next
-- job. Never sent alone: the worker appends it to take.lua (which defines
-- cfg, key() and take() and documents ARGV 1..28+n). Arguments from 29+n:
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

local base = 29 + #cfg.queues
local job = {
  id = ARGV[base], origin = ARGV[base + 1], status = ARGV[base + 2], payload = ARGV[base + 3],
  has_value = ARGV[base + 4] == '1', working = ARGV[base + 5], meta_set = ARGV[base + 6] == '1',
  meta = ARGV[base + 7], default_result_ttl = tonumber(ARGV[base + 8]),
  take_next = ARGV[base + 9] == '1'
}

-- 3.13: enqueue every dependent whose dependencies are all met now.
local function release_dependents(parent_id, parent_status)
  local dkey = key('dependents', parent_id)
  local members = redis.call('SMEMBERS', dkey)
  if #members == 0 then return end
  local released = {}
  for _, dep in ipairs(members) do
    local djkey = key('job', dep)
    local h = redis.call('HMGET', djkey, 'status', 'origin', 'allow_dependency_failures',
                         'enqueue_at_front')
    if h[2] and h[1] ~= 'canceled' then
      local allow = h[3] == '1'
      local met = parent_status ~= 'canceled' and (parent_status ~= 'failed' or allow)
      if met then
        for _, other in ipairs(redis.call('SMEMBERS', key('dependencies', dep))) do
          if other ~= parent_id then
            local st = redis.call('HGET', key('job', other), 'status')
            if st and not (st == 'finished' or (allow and st == 'failed')) then
              met = false
              break
            end
          end
        end
      end
      if met then
        local qkey = key('queue', h[2])
        redis.call('ZREM', key('deferred', h[2]), dep)
        redis.call('SADD', KEYS[2], qkey)
        redis.call('HSET', djkey, 'status', 'queued', 'enqueued_at', cfg.ts)
        if h[4] == '1' then redis.call('LPUSH', qkey, dep) else redis.call('RPUSH', qkey, dep) end
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

local function expire_job_keys(id, ttl)
  for _, k in ipairs({key('job', id), key('dependents', id), key('dependencies', id)}) do
    redis.call('EXPIRE', k, ttl)
  end
end

local function succeed(jkey, h)
  local wkey = KEYS[1]
  redis.call('HINCRBY', wkey, 'successful_job_count', 1)
  redis.call('HINCRBYFLOAT', wkey, 'total_working_time', job.working)
  release_dependents(job.id, 'finished')
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

-- 3.10: a failed attempt with retries left is re-enqueued or scheduled and
-- leaves no result entry.
local function retry(jkey, retries, intervals_json)
  local ok, intervals = pcall(cjson.decode, intervals_json or '[0]')
  if not ok or type(intervals) ~= 'table' or #intervals == 0 then intervals = {0} end
  local interval = tonumber(intervals[math.max(#intervals - retries, 0) + 1]) or 0
  redis.call('HSET', jkey, 'retries_left', retries - 1, 'ended_at', cfg.ts)
  if interval > 0 then
    redis.call('HSET', jkey, 'status', 'scheduled')
    redis.call('ZADD', key('scheduled', job.origin), cfg.now + interval, job.id)
  else
    local qkey = key('queue', job.origin)
    redis.call('HSET', jkey, 'status', 'queued', 'enqueued_at', cfg.ts)
    redis.call('SADD', KEYS[2], qkey)
    redis.call('RPUSH', qkey, job.id)
  end
  return 'retried'
end

local function fail(jkey, h)
  local wkey = KEYS[1]
  redis.call('HINCRBY', wkey, 'failed_job_count', 1)
  redis.call('HINCRBYFLOAT', wkey, 'total_working_time', job.working)
  local retries = tonumber(h[5])
  if job.status == 'failed' and retries and retries > 0 then return retry(jkey, retries, h[6]) end
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
  release_dependents(job.id, job.status)
  if ttl >= 0 then expire_job_keys(job.id, ttl) end
  return 'done'
end

local function finish()
  local wkey = KEYS[1]
  local jkey = key('job', job.id)
  if redis.call('HGET', wkey, 'current_job') == job.id then
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
