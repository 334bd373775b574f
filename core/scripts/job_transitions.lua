-- job_transitions: the life-cycle moves shared by the worker's finish script
-- and the lifecycle scripts (registry cleaning, cancel, requeue, scheduler),
-- so each rule of the wire doc has one Lua implementation. Never sent
-- alone: it is placed after a prologue that defines
--   key(kind, name)  the key of a family ('job', 'dependents',
--                    'dependencies', 'queue', 'deferred', 'scheduled')
--   queues_key       the rq:queues key
-- (take.lua for finish+take, lifecycle_lib.lua for the others) and before
-- the script's body, all one script: no extra round trip.

-- RQ's Queue.enqueue_job for a job whose hash already exists (wire doc 3.1):
-- rq:queues entry, status queued with a new enqueued_at, the job's own ttl
-- (Job.cleanup(ttl)) on its three keys, then RPUSH (LPUSH when at_front).
local function push_job(id, origin, at_front, ts)
  local jkey = key('job', id)
  local qkey = key('queue', origin)
  redis.call('SADD', queues_key, qkey)
  redis.call('HSET', jkey, 'status', 'queued', 'enqueued_at', ts)
  local ttl = tonumber(redis.call('HGET', jkey, 'ttl'))
  if ttl and ttl > 0 then
    redis.call('EXPIRE', jkey, ttl)
    redis.call('EXPIRE', key('dependents', id), ttl)
    redis.call('EXPIRE', key('dependencies', id), ttl)
  end
  if at_front then
    redis.call('LPUSH', qkey, id)
  else
    redis.call('RPUSH', qkey, id)
  end
end

-- 3.10 as RQ's Job.retry, for a job with `retries` (> 0) left: interval =
-- intervals[max(len - retries, 0)] with the value before decrementing;
-- retries_left is decremented; interval 0 re-enqueues (push_job), more
-- schedules it: status scheduled, ZADD rq:scheduled:<origin> now+interval,
-- SADD rq:queues (Queue.schedule_job). Writes no result entry.
local function retry_job(id, origin, retries, intervals_json, now, ts)
  local ok, intervals = pcall(cjson.decode, intervals_json or '[0]')
  if not ok or type(intervals) ~= 'table' or #intervals == 0 then intervals = {0} end
  local interval = tonumber(intervals[math.max(#intervals - retries, 0) + 1]) or 0
  local jkey = key('job', id)
  redis.call('HSET', jkey, 'retries_left', retries - 1)
  if interval > 0 then
    redis.call('SADD', queues_key, key('queue', origin))
    redis.call('HSET', jkey, 'status', 'scheduled')
    redis.call('ZADD', key('scheduled', origin), now + interval, id)
  else
    push_job(id, origin, false, ts)
  end
end

-- 3.13: after `parent_id` ended (finished, failed, stopped) or was canceled
-- with enqueue_dependents, enqueue (push_job, at the front when the
-- dependent says enqueue_at_front 1, into the dependent's own origin) every
-- dependent whose other dependencies are met: status finished, or failed
-- when it allows failures; a dependency whose hash or status is gone counts
-- as met. The parent itself counts as met unless it failed and the
-- dependent does not allow failures (a stopped parent, or a canceled one
-- whose dependents are released on purpose, counts as met). Canceled or
-- vanished dependents are skipped. Released ids leave the parent's
-- dependents set (DEL when all did).
local function release_dependents(parent_id, parent_status, ts)
  local dkey = key('dependents', parent_id)
  local members = redis.call('SMEMBERS', dkey)
  if #members == 0 then return end
  local released = {}
  for _, dep in ipairs(members) do
    local d = redis.call('HMGET', key('job', dep), 'status', 'origin',
                         'allow_dependency_failures', 'enqueue_at_front')
    if d[1] and d[1] ~= 'canceled' and d[2] and d[2] ~= '' then
      local allow = d[3] == '1'
      local met = parent_status ~= 'failed' or allow
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
        redis.call('ZREM', key('deferred', d[2]), dep)
        push_job(dep, d[2], d[4] == '1', ts)
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
