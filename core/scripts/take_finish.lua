-- take_finish: the worker's per-job Redis step (docs/design.md, "hot path"),
-- called by core/src/worker/fetcher.cpp. mode 'take' takes the next job;
-- mode 'finish' records a job's outcome exactly as RQ 1.13 does (3.8
-- success, 3.9 failure, 3.10 retries, 3.13 dependents) and, with take_next,
-- takes the next job in the same call, so a processed job costs one round
-- trip; mode 'sync' records the outcome of a job SyncQueue ran in the
-- caller's process (worker name 'sync', no worker hash, never takes).
--
-- ARG: mode, worker (name), now (Unix seconds), ts (RQ timestamp text),
--   interval (job_monitoring_interval), idle_ttl (idle worker key TTL),
--   default_timeout, grace (heartbeat grace: RQ's fixed 60 s), queues
--   (names in priority order); for 'finish'/'sync' also: id, origin,
--   status ('finished' | 'failed' | 'stopped'), payload (base64 return value,
--   '' for None, or base64 zlib exc_string), has_value, working_time
--   (seconds text), meta (bytes; absent = unchanged), result_ttl and
--   failure_ttl (the defaults when the job has none),
--   take_next.
--
-- Take returns {'job', queue, id, origin, timeout field, data, meta,
-- success_callback_name, failure_callback_name, stopped_callback_name},
-- {'empty'}, {'suspended'} or {'unregistered'} (worker key gone: the worker
-- registers again and repeats the call; nothing was changed). A 'job' or
-- 'empty' reply ends with what the take passed over, as (queue, why)
-- pairs: a queue whose key is not a list ("rq:queue:q is a string"), or a
-- job left queued because its origin's started registry is not a zset
-- ("job <id> (rq:wip:o is a string)"). Finish
-- returns {state} or {state, take reply...} with take_next; state is
-- 'done', 'retried' or 'skipped'. Finish is idempotent: when the job is no
-- longer 'started' by this worker (the reply of an earlier, applied call
-- was lost), only the worker's current_job bookkeeping is touched.

local sync = ARG.mode == 'sync'
local wkey = key('worker', ARG.worker)
local now = ARG.now

-- Worker fields set by this call (the job counters) that ride along with
-- the next HSET of the worker hash instead of costing a command each.
local worker_set = {}
local function hset_worker(...)
  local fields = {...}
  for _, v in ipairs(worker_set) do fields[#fields + 1] = v end
  worker_set = {}
  redis.call('HSET', wkey, unpack(fields))
end

-- RQ's heartbeat TTL for a fresh job: min(timeout, interval) + grace, or
-- interval + grace without a positive timeout.
local function heartbeat_ttl(timeout)
  if timeout > 0 then return math.floor(math.min(timeout, ARG.interval)) + ARG.grace end
  return math.floor(ARG.interval) + ARG.grace
end

local job_fields = {'data', 'origin', 'timeout', 'meta', 'success_callback_name',
                    'failure_callback_name', 'stopped_callback_name', 'status', 'worker_name'}

-- Reads and checks of a take, no writes. `resume`: honour the worker's
-- current_job, unless it is `finishing` (the job a fused call finishes
-- first, which clears it); `current`: that field when the caller has read
-- it already (false: absent), nil to read it here. Returns
-- {kind = 'resume' | 'suspended' | 'job' | 'empty', drop_current, ...}.
local function plan_take(resume, finishing, current)
  local drop_current = false
  local cur = current
  if cur == nil then cur = read('hash', 'HGET', wkey, 'current_job') end
  if resume and cur and cur ~= finishing then
    -- current_job still set means the reply of an earlier take was lost
    -- (Redis went away), also the reply of a fused finish+take whose
    -- repetition now finds its finish done: hand the same job out again
    -- instead of leaving it started with nobody running it.
    local hash_ok, f = read_if_type('hash', 'HMGET', key('job', cur), unpack(job_fields))
    if hash_ok and f[1] and f[8] == 'started' and f[9] == ARG.worker then
      return {kind = 'resume', id = cur, f = f}
    end
    drop_current = true
  end
  if redis.call('EXISTS', key('suspended')) == 1 then
    return {kind = 'suspended', drop_current = drop_current}
  end
  -- What cannot be taken (keys of another type, written by someone else) is
  -- passed over and reported as {queue, why} pairs, so one broken queue or
  -- job does not stop the worker's others.
  local broken = {}
  -- Ids the take removes from each queue it looked at: {qkey, pops (the
  -- leading entries), removes (ids behind a job left in place)}.
  local tidy = {}
  local seen = {}  -- a queue named twice is looked at once
  for _, q in ipairs(ARG.queues) do
    local qkey = key('queue', q)
    if not seen[q] then
      seen[q] = true
      local i = 0
      local kept  -- index of the first job left in place in this queue
      local removes = {}
      local function done_with_queue(n, extra)
        if extra then removes[#removes + 1] = extra end
        if n > 0 or #removes > 0 then tidy[#tidy + 1] = {qkey, n, removes} end
      end
      while true do
        local list_ok, id = read_if_type('list', 'LINDEX', qkey, i)
        if not list_ok then
          broken[#broken + 1] = q
          broken[#broken + 1] = qkey .. ' is a ' .. redis.call('TYPE', qkey).ok
        end
        if not id then break end
        -- An id without a hash, or whose key is not a hash, is dropped, as RQ
        -- drops ids without a hash.
        local hash_ok, f = read_if_type('hash', 'HMGET', key('job', id), unpack(job_fields))
        if hash_ok and f[1] then
          local origin = f[2]
          if not origin or origin == '' then origin = q end
          local skey = key('started', origin)
          local got = wanted[skey] or redis.call('TYPE', skey).ok
          if got == 'zset' or got == 'none' then
            wanted[skey] = 'zset'
            -- Behind a job left in place, this one leaves the list by LREM.
            done_with_queue(kept or i + 1, kept and id)
            return {kind = 'job', queue = q, id = id, origin = origin, f = f,
                    drop_current = drop_current, broken = broken, tidy = tidy}
          end
          -- Left where it is (a take must not fail); the jobs behind it run.
          kept = kept or i
          broken[#broken + 1] = q
          broken[#broken + 1] = 'job ' .. id .. ' (' .. skey .. ' is a ' .. got .. ')'
        elseif kept then
          removes[#removes + 1] = id
        end
        i = i + 1
      end
      done_with_queue(kept or i)
    end
  end
  return {kind = 'empty', drop_current = drop_current, broken = broken, tidy = tidy}
end

-- Removes the ids plan_take dropped or took from their queues.
local function tidy_queues(tidy)
  for _, t in ipairs(tidy or {}) do
    for _ = 1, t[2] do redis.call('LPOP', t[1]) end
    for _, id in ipairs(t[3]) do redis.call('LREM', t[1], 1, id) end
  end
end

local function job_reply(queue, id, origin, f)
  return {'job', queue, id, origin, f[3] or '', f[1], f[4] or '', f[5] or '', f[6] or '',
          f[7] or ''}
end

-- What a take passed over follows the reply's own fields, as {queue, why}
-- pairs.
local function with_broken(reply, broken)
  for _, b in ipairs(broken or {}) do reply[#reply + 1] = b end
  return reply
end

-- Takes as `p` (a plan_take() result still valid) says, or plans first.
local function take(resume, p)
  p = p or plan_take(resume)
  if p.drop_current then redis.call('HDEL', wkey, 'current_job') end
  tidy_queues(p.tidy)
  if p.kind == 'resume' then return job_reply(p.f[2] or '', p.id, p.f[2] or '', p.f) end
  if p.kind == 'suspended' or p.kind == 'empty' then
    hset_worker('state', p.kind == 'empty' and 'idle' or 'suspended', 'last_heartbeat', ARG.ts)
    redis.call('EXPIRE', wkey, ARG.idle_ttl)
    return with_broken({p.kind}, p.broken)
  end
  local jkey = key('job', p.id)
  local hb = heartbeat_ttl(tonumber(p.f[3]) or ARG.default_timeout)
  redis.call('HSET', jkey, 'status', 'started', 'started_at', ARG.ts, 'last_heartbeat', ARG.ts,
             'worker_name', ARG.worker)
  redis.call('PERSIST', jkey)
  redis.call('ZADD', key('started', p.origin), now + hb, p.id)
  hset_worker('state', 'busy', 'current_job', p.id, 'current_job_working_time', '0',
              'last_heartbeat', ARG.ts)
  redis.call('EXPIRE', wkey, hb)
  return with_broken(job_reply(p.queue, p.id, p.origin, p.f), p.broken)
end

-- Reads and checks of a finish, no writes: the job hash's fields and the
-- plan of what the outcome releases. `w`: the worker's fields (nil for
-- sync), as read by the main part below.
local function plan_finish(w)
  local id, origin = ARG.id, ARG.origin
  local jkey = key('job', id)
  local p = {jkey = jkey, current = false}  -- current: the worker's current_job
  if w then
    want_number(w[3], 'field total_working_time of ' .. wkey)
    p.successful = want_int(w[4], 'field successful_job_count of ' .. wkey) or 0
    p.failed = want_int(w[5], 'field failed_job_count of ' .. wkey) or 0
    p.current = w[2]
  end
  want(key('started', origin), 'zset')
  local h = read('hash', 'HMGET', jkey, 'status', 'worker_name', 'result_ttl', 'failure_ttl',
                 'retries_left', 'retry_intervals')
  p.exists, p.ours, p.intervals = h[1] ~= nil, h[1] == 'started' and h[2] == ARG.worker, h[6]
  if not p.ours then return p end
  p.result_ttl = want_int(h[3], 'field result_ttl of ' .. jkey)
  p.failure_ttl = want_int(h[4], 'field failure_ttl of ' .. jkey)
  p.retries = want_int(h[5], 'field retries_left of ' .. jkey)
  want(key('results', id), 'stream')
  if ARG.status == 'failed' and p.retries and p.retries > 0 then
    check_retry(id, origin)
    p.retry = true
    return p
  end
  want(key(ARG.status == 'finished' and 'finished' or 'failed', origin), 'zset')
  p.release = plan_release(id, ARG.status)
  return p
end

-- RQ's Job.cleanup(ttl) on the job's three keys; the dependents set is
-- skipped when plan_release found it empty (so absent: EXPIRE is a no-op).
local function expire_job_keys(p, id, ttl)
  redis.call('EXPIRE', key('job', id), ttl)
  if not p.release or #p.release.members > 0 then
    redis.call('EXPIRE', key('dependents', id), ttl)
  end
  redis.call('EXPIRE', key('dependencies', id), ttl)
end

-- RQ's HINCRBY of the counter: its new value, checked by plan_finish,
-- goes with the next HSET of the worker hash.
local function count(field, before)
  if sync then return end
  worker_set[#worker_set + 1] = field
  worker_set[#worker_set + 1] = string.format('%d', before + 1)
  redis.call('HINCRBYFLOAT', wkey, 'total_working_time', ARG.working_time)
end

local function succeed(p)
  local id, origin = ARG.id, ARG.origin
  count('successful_job_count', p.successful)
  release(p.release, ARG.ts)
  local ttl = p.result_ttl or ARG.result_ttl
  if ttl == 0 then  -- result_ttl 0: nothing is kept
    redis.call('ZREM', key('finished', origin), id)
    redis.call('DEL', p.jkey, key('dependents', id), key('dependencies', id))
    return 'done'
  end
  redis.call('HSET', p.jkey, 'status', 'finished', 'ended_at', ARG.ts)
  local rkey = key('results', id)
  if ARG.has_value then
    redis.call('XADD', rkey, 'MAXLEN', '~', '10', '*', 'type', '1', 'return_value', ARG.payload)
  else
    redis.call('XADD', rkey, 'MAXLEN', '~', '10', '*', 'type', '1')
  end
  if ttl < 0 then
    redis.call('PERSIST', rkey)
    redis.call('ZADD', key('finished', origin), '+inf', id)
  else
    redis.call('EXPIRE', rkey, ttl)
    redis.call('ZADD', key('finished', origin), now + ttl, id)
    expire_job_keys(p, id, ttl)
  end
  return 'done'
end

local function fail_job(p)
  local id, origin = ARG.id, ARG.origin
  count('failed_job_count', p.failed)
  if p.retry then  -- 3.10: re-enqueued or scheduled, no result entry
    redis.call('HSET', p.jkey, 'ended_at', ARG.ts)
    retry_job(id, origin, p.retries, p.intervals, now, ARG.ts)
    return 'retried'
  end
  local ttl = p.failure_ttl or ARG.failure_ttl
  redis.call('HSET', p.jkey, 'status', ARG.status, 'ended_at', ARG.ts)
  redis.call('ZADD', key('failed', origin), ttl >= 0 and now + ttl or ttl, id)
  local rkey = key('results', id)
  redis.call('XADD', rkey, 'MAXLEN', '~', '10', '*', 'type', '2', 'exc_string', ARG.payload)
  if p.failure_ttl then
    if p.failure_ttl < 0 then
      redis.call('PERSIST', rkey)
    else
      redis.call('EXPIRE', rkey, p.failure_ttl)
    end
  end
  release(p.release, ARG.ts)
  if ttl >= 0 then expire_job_keys(p, ARG.id, ttl) end
  return 'done'
end

-- `taking`: the fused take that follows takes a job, and so writes every
-- worker field below itself (state busy, current_job...).
local function finish(p, taking)
  if p.current == ARG.id and not taking then
    redis.call('HDEL', wkey, 'current_job')
    hset_worker('current_job_working_time', '0', 'state', 'idle', 'last_heartbeat', ARG.ts)
    redis.call('EXPIRE', wkey, ARG.idle_ttl)
  end
  if not p.ours then
    -- deleted while it ran: only our registry entry is left
    if not p.exists then redis.call('ZREM', key('started', ARG.origin), ARG.id) end
    return 'skipped'
  end
  redis.call('ZREM', key('started', ARG.origin), ARG.id)
  if ARG.meta then redis.call('HSET', p.jkey, 'meta', ARG.meta) end
  if ARG.status == 'finished' then return succeed(p) end
  return fail_job(p)
end

-- The worker hash always has `state` once registered: its absence is the
-- EXISTS check, read with the fields both modes need.
local w = nil
if not sync then
  w = read('hash', 'HMGET', wkey, 'state', 'current_job', 'total_working_time',
           'successful_job_count', 'failed_job_count')
  if not w[1] then return {'unregistered'} end
end
if ARG.mode == 'take' then return take(true, plan_take(true, nil, w[2])) end

local p = plan_finish(w)
-- The take that follows must not fail after the finish wrote: its checks
-- (the worker's queues and their rq:wip keys, the jobs at their heads) run
-- now. A job the finish pushes goes to its origin's queue, whose keys this
-- checked; only then is the take planned again.
local next_plan = ARG.take_next and plan_take(true, ARG.id, p.current)
local pushed = p.retry or (p.release and #p.release.released > 0)
local state = finish(p, next_plan and not pushed and next_plan.kind == 'job')
local reply = ARG.take_next and take(true, not pushed and next_plan or nil)
-- Counters no HSET of the worker hash took along (no take after the job,
-- or a take that wrote no worker fields).
if #worker_set > 0 then hset_worker() end
if not reply then return {state} end
table.insert(reply, 1, state)
return reply
