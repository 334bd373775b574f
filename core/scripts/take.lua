-- take: the worker's hot-path step 1 (docs/design.md), and the prologue of
-- the fused finish+take script (the worker sends this file's text followed by
-- finish.lua's as one script, so a processed job costs one round trip).
--
-- KEYS: 1 rq:worker:<w>   2 rq:queues   3 rq:suspended
-- ARGV (built by core/src/worker/hot_path.cpp):
--   1 mode: 'take' (this script alone) or 'finish' (finish.lua follows),
--     or 'sync': finish.lua follows, for a job run by SyncQueue in the
--     caller's process (worker name 'sync', no worker hash: KEYS[1] is
--     never written, nothing is taken)
--   2 worker name   3 NOW (Unix seconds)   4 TS (RQ timestamp text)
--   5 job_monitoring_interval   6 idle worker TTL   7 default job timeout
--   8 heartbeat grace (RQ's fixed 60 s; rqworker --heartbeat-grace)
--   9..28 key templates, (prefix, suffix) pairs in this order: job,
--         dependents, dependencies, results, queue, started, finished,
--         failed, deferred, scheduled (the layout itself lives in keys.hpp)
--   29 number of queues n   30..29+n queue names in priority order
--   30+n.. finish arguments (finish.lua)
--
-- Returns {'job', queue, id, origin, timeout field, data, meta,
-- success_callback_name, failure_callback_name, stopped_callback_name},
-- {'empty'}, {'suspended'} or {'unregistered'} (worker key gone: the worker
-- registers again and repeats the call; nothing was changed).

local cfg = {
  mode = ARGV[1], worker = ARGV[2], now = tonumber(ARGV[3]), ts = ARGV[4],
  interval = tonumber(ARGV[5]), idle_ttl = tonumber(ARGV[6]),
  default_timeout = tonumber(ARGV[7]), grace = tonumber(ARGV[8]), tpl = {}, queues = {}
}
do
  local kinds = {'job', 'dependents', 'dependencies', 'results', 'queue', 'started',
                 'finished', 'failed', 'deferred', 'scheduled'}
  for i, kind in ipairs(kinds) do cfg.tpl[kind] = {ARGV[7 + 2 * i], ARGV[8 + 2 * i]} end
  for i = 1, tonumber(ARGV[29]) do cfg.queues[i] = ARGV[29 + i] end
end

local function key(kind, name)
  local t = cfg.tpl[kind]
  return t[1] .. name .. t[2]
end
local queues_key = KEYS[2]  -- for job_transitions.lua in the finish+take script

-- RQ's heartbeat TTL for a fresh job: min(timeout, interval) + grace, or
-- interval + grace without a positive timeout (RQ's grace: 60).
local function heartbeat_ttl(timeout)
  if timeout > 0 then return math.floor(math.min(timeout, cfg.interval)) + cfg.grace end
  return math.floor(cfg.interval) + cfg.grace
end

local function take()
  local wkey = KEYS[1]
  -- current_job still set means the reply of an earlier take was lost on the
  -- way (Redis went away): hand the same job out again instead of leaving it
  -- started with nobody running it.
  local cur = redis.call('HGET', wkey, 'current_job')
  if cur then
    local f = redis.call('HMGET', key('job', cur), 'data', 'origin', 'timeout', 'meta', 'status',
                         'worker_name', 'success_callback_name', 'failure_callback_name',
                         'stopped_callback_name')
    if f[1] and f[5] == 'started' and f[6] == cfg.worker then
      return {'job', f[2] or '', cur, f[2] or '', f[3] or '', f[1], f[4] or '', f[7] or '',
              f[8] or '', f[9] or ''}
    end
    redis.call('HDEL', wkey, 'current_job')
  end
  if redis.call('EXISTS', KEYS[3]) == 1 then
    redis.call('HSET', wkey, 'state', 'suspended', 'last_heartbeat', cfg.ts)
    redis.call('EXPIRE', wkey, cfg.idle_ttl)
    return {'suspended'}
  end
  for _, q in ipairs(cfg.queues) do
    local qkey = key('queue', q)
    while true do
      local id = redis.call('LPOP', qkey)
      if not id then break end
      local jkey = key('job', id)
      local f = redis.call('HMGET', jkey, 'data', 'origin', 'timeout', 'meta',
                           'success_callback_name', 'failure_callback_name',
                           'stopped_callback_name')
      if f[1] then  -- an id without a (valid) hash is dropped, as RQ does
        local origin = f[2]
        if not origin or origin == '' then origin = q end
        local hb = heartbeat_ttl(tonumber(f[3]) or cfg.default_timeout)
        redis.call('HSET', jkey, 'status', 'started', 'started_at', cfg.ts, 'last_heartbeat', cfg.ts,
                   'worker_name', cfg.worker)
        redis.call('PERSIST', jkey)
        redis.call('ZADD', key('started', origin), cfg.now + hb, id)
        redis.call('HSET', wkey, 'state', 'busy', 'current_job', id, 'current_job_working_time', '0',
                   'last_heartbeat', cfg.ts)
        redis.call('EXPIRE', wkey, hb)
        return {'job', q, id, origin, f[3] or '', f[1], f[4] or '', f[5] or '', f[6] or '',
                f[7] or ''}
      end
    end
  end
  redis.call('HSET', wkey, 'state', 'idle', 'last_heartbeat', cfg.ts)
  redis.call('EXPIRE', wkey, cfg.idle_ttl)
  return {'empty'}
end

-- mode 'sync' (finish.lua for SyncQueue, sync_queue.hpp): no worker hash.
if cfg.mode ~= 'sync' and redis.call('EXISTS', KEYS[1]) == 0 then return {'unregistered'} end
if cfg.mode == 'take' then return take() end
