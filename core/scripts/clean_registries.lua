-- clean_registries: RQ's clean_registries(queue) (docs/redis-layout.md 1.2,
-- 3.4, 3.10, 3.12) for one queue, optionally under the worker-maintenance
-- lock, plus rqcpp's zero-loss rule (docs/design.md): a started job whose
-- worker is gone is abandoned now, not only once its deadline score has
-- passed.
--
-- ARG: lock (flag: first take rq:clean_registries:<q>, SET 1 EX lock_ttl
--   NX, and do nothing when another process holds it), queue, now, ts,
--   exc_info (for jobs past their deadline whose worker lives: zlib("Moved
--   to FailedJobRegistry at <local time>"), compressed by the caller as RQ),
--   text (the same text uncompressed; a dead worker's job, past its
--   deadline or not, gets "<text>: worker <w> died (heartbeat expired)", or
--   "... has shut down" when its hash carries `death`, stored-zlib encoded
--   here), lock_ttl (RQ: 899; rqworker: maintenance interval - 1),
--   failure_ttl (the default when a job has none).
-- Returns {'locked'} or {'done', finished removed, failed removed,
-- {ids moved to failed}, {ids retried}}.
local q, now, ts = ARG.queue, ARG.now, ARG.ts
local lock = key('clean_lock', q)
if ARG.lock then
  want(lock, 'string')
  if redis.call('EXISTS', lock) == 1 then return {'locked'} end
end

-- zlib format (RFC 1950) with stored (uncompressed) deflate blocks. Redis'
-- Lua has no compressor, but every zlib reader (Python's zlib.decompress,
-- rqcpp's zlib_decompress) inflates this; RQ only requires zlib format.
local function zlib_stored(s)
  local out = {'\120\1'}  -- 78 01: deflate, 32K window, FCHECK ok
  local a, b = 1, 0
  for i = 1, #s do
    a = (a + s:byte(i)) % 65521
    b = (b + a) % 65521
  end
  local pos = 1
  repeat
    local chunk = s:sub(pos, pos + 65534)
    pos = pos + 65535
    local n, final = #chunk, 0
    if pos > #s then final = 1 end
    out[#out + 1] = string.char(final, n % 256, math.floor(n / 256), (65535 - n) % 256,
                                math.floor((65535 - n) / 256)) .. chunk
  until pos > #s
  out[#out + 1] = string.char(math.floor(b / 256), b % 256, math.floor(a / 256), a % 256)
  return table.concat(out)
end

local finished, wip, failed = key('finished', q), key('started', q), key('failed', q)
want(finished, 'zset')
want(wip, 'zset')
want(failed, 'zset')

-- The exc_info naming the job's worker when that worker is gone (its key
-- expired) or has shut down; nil while it lives (or the job names none).
local function dead_worker_exc_info(id)
  local jkey = key('job', id)
  want(jkey, 'hash')
  local w = redis.call('HGET', jkey, 'worker_name')
  if not w or w == '' then return nil end
  local wkey, why = key('worker', w), nil
  want(wkey, 'hash')
  if redis.call('EXISTS', wkey) == 0 then
    why = 'died (heartbeat expired)'
  elseif redis.call('HEXISTS', wkey, 'death') == 1 then
    why = 'has shut down'
  end
  if not why then return nil end
  return zlib_stored(ARG.text .. ': worker ' .. w .. ' ' .. why)
end

-- Reads and checks: every abandoned job and what happens to it.
local abandoned = {}  -- {id, exc_info, remove from wip individually, hash fields}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', wip, 0, now)) do
  -- A killed worker's key and its job's deadline run out together (same
  -- heartbeat TTL): name the worker whichever is noticed first.
  abandoned[#abandoned + 1] = {id, dead_worker_exc_info(id) or ARG.exc_info, false}
end
for _, id in ipairs(redis.call('ZRANGEBYSCORE', wip, '(' .. now, '+inf')) do
  local exc_info = dead_worker_exc_info(id)
  if exc_info then abandoned[#abandoned + 1] = {id, exc_info, true} end
end
for _, a in ipairs(abandoned) do
  local jkey = key('job', a[1])
  local h = redis.call('HMGET', jkey, 'data', 'retries_left', 'retry_intervals', 'failure_ttl',
                       'origin')
  if h[1] then  -- RQ skips ids whose hash is gone (they still leave the registry)
    a.retries = want_int(h[2], 'field retries_left of ' .. jkey)
    a.intervals = h[3]
    a.failure_ttl = want_int(h[4], 'field failure_ttl of ' .. jkey)
    a.origin = (h[5] and h[5] ~= '') and h[5] or q
    if a.retries and a.retries > 0 then
      check_retry(a[1], a.origin)
      a.retry = true
    else
      a.fail = true
    end
  end
end

if ARG.lock then redis.call('SET', lock, '1', 'EX', ARG.lock_ttl, 'NX') end
local finished_removed = redis.call('ZREMRANGEBYSCORE', finished, 0, now)

-- 3.12: failed with the job's failure_ttl (default one year; -1 keeps it:
-- no EXPIRE, score -1), in this queue's failed registry.
local function fail_job(id, failure_ttl, exc_info)
  local ttl = failure_ttl or ARG.failure_ttl
  redis.call('HSET', key('job', id), 'status', 'failed', 'exc_info', exc_info)
  if ttl >= 0 then
    redis.call('EXPIRE', key('job', id), ttl)
    redis.call('EXPIRE', key('dependents', id), ttl)
    redis.call('EXPIRE', key('dependencies', id), ttl)
    redis.call('ZADD', failed, now + ttl, id)
  else
    redis.call('ZADD', failed, ttl, id)
  end
end

local failed_ids, retried_ids = {}, {}
for _, a in ipairs(abandoned) do
  local id = a[1]
  if a.retry then
    retry_job(id, a.origin, a.retries, a.intervals, now, ts)  -- 3.10
    retried_ids[#retried_ids + 1] = id
  elseif a.fail then
    fail_job(id, a.failure_ttl, a[2])
    failed_ids[#failed_ids + 1] = id
  end
  if a[3] then redis.call('ZREM', wip, id) end
end
redis.call('ZREMRANGEBYSCORE', wip, 0, now)

local failed_removed = redis.call('ZREMRANGEBYSCORE', failed, 0, now)
return {'done', finished_removed, failed_removed, failed_ids, retried_ids}
