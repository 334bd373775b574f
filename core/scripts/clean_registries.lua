-- clean_registries (body; lifecycle_lib.lua comes first): RQ's
-- clean_registries(queue) (rq-wire-format.md 1.2, 3.4, 3.10, 3.12) for one
-- queue, optionally under the worker-maintenance lock, plus rqcpp's
-- zero-loss rule (docs/design.md): a started job whose worker is gone is
-- abandoned now, not only once its deadline score has passed.
--
-- A[1] '1' = first take rq:clean_registries:<q> (SET 1 EX A[7] NX) and do
--            nothing when another process holds it
-- A[2] queue   A[3] NOW   A[4] TS
-- A[5] exc_info for jobs past their deadline whose worker lives: zlib("Moved
--      to FailedJobRegistry at <local time>"), compressed by the caller as RQ
-- A[6] the same text uncompressed; a dead worker's job (past its deadline
--      or not) gets
--      "<A[6]>: worker <w> died (heartbeat expired)" (or "... has shut down"
--      when its hash carries `death`), stored-zlib encoded here
-- A[7] the lock's TTL in seconds (RQ: 899; rqworker: maintenance interval - 1)
-- Returns {'locked'} or {'done', finished removed, failed removed,
-- {ids moved to failed}, {ids retried}}.
local q, now, ts = A[2], tonumber(A[3]), A[4]
if A[1] == '1' and not redis.call('SET', key('clean_lock', q), '1', 'EX', A[7], 'NX') then
  return {'locked'}
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

local finished_removed = redis.call('ZREMRANGEBYSCORE', key('finished', q), 0, now)

-- The exc_info naming the job's worker when that worker is gone (its key
-- expired) or has shut down; nil while it lives (or the job names none).
local function dead_worker_exc_info(id)
  local w = redis.call('HGET', key('job', id), 'worker_name')
  if not w or w == '' then return nil end
  local wkey, why = key('worker', w), nil
  if redis.call('EXISTS', wkey) == 0 then
    why = 'died (heartbeat expired)'
  elseif redis.call('HEXISTS', wkey, 'death') == 1 then
    why = 'has shut down'
  end
  if not why then return nil end
  return zlib_stored(A[6] .. ': worker ' .. w .. ' ' .. why)
end

local wip = key('started', q)
local abandoned = {}  -- {id, exc_info, remove from wip individually}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', wip, 0, now)) do
  -- A killed worker's key and its job's deadline run out together (same
  -- heartbeat TTL): name the worker whichever is noticed first.
  abandoned[#abandoned + 1] = {id, dead_worker_exc_info(id) or A[5], false}
end
for _, id in ipairs(redis.call('ZRANGEBYSCORE', wip, '(' .. A[3], '+inf')) do
  local exc_info = dead_worker_exc_info(id)
  if exc_info then abandoned[#abandoned + 1] = {id, exc_info, true} end
end

-- 3.12: failed with the job's failure_ttl (default one year; -1 keeps it:
-- no EXPIRE, score -1), in this queue's failed registry.
local function fail(id, jkey, failure_ttl, exc_info)
  local ttl = tonumber(failure_ttl) or 31536000
  redis.call('HSET', jkey, 'status', 'failed', 'exc_info', exc_info)
  if ttl >= 0 then
    redis.call('EXPIRE', jkey, ttl)
    redis.call('EXPIRE', key('dependents', id), ttl)
    redis.call('EXPIRE', key('dependencies', id), ttl)
    redis.call('ZADD', key('failed', q), now + ttl, id)
  else
    redis.call('ZADD', key('failed', q), ttl, id)
  end
end

local failed_ids, retried_ids = {}, {}
for _, a in ipairs(abandoned) do
  local id = a[1]
  local jkey = key('job', id)
  local h = redis.call('HMGET', jkey, 'data', 'retries_left', 'retry_intervals', 'failure_ttl',
                       'origin')
  if h[1] then  -- RQ skips ids whose hash is gone (they still leave the registry)
    local retries = tonumber(h[2])
    if retries and retries > 0 then
      local origin = h[5]
      if not origin or origin == '' then origin = q end
      retry_job(id, origin, retries, h[3], now, ts)  -- 3.10 (job_transitions.lua)
      retried_ids[#retried_ids + 1] = id
    else
      fail(id, jkey, h[4], a[2])
      failed_ids[#failed_ids + 1] = id
    end
  end
  if a[3] then redis.call('ZREM', wip, id) end
end
redis.call('ZREMRANGEBYSCORE', wip, 0, now)

local failed_removed = redis.call('ZREMRANGEBYSCORE', key('failed', q), 0, now)
return {'done', finished_removed, failed_removed, failed_ids, retried_ids}
