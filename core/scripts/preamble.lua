-- preamble: the only names rqcpp's Redis scripts share. All scripts are
-- ONE Redis function library, composed by core/src/script_call.cpp:
--   1. `local KEY_TEMPLATES = {...}`, written from keys::templates()
--      (keys.cpp stays the only place that knows the key layout);
--   2. this file;
--   3. each script's own file (core/scripts/<name>.lua) as the body of a
--      function registered as <library>_<name>, which starts with
--      `local ARG = begin_call(KEYS, ARGV)`.
-- Steps 1 and 2 run once, when Redis loads the library (only literals and
-- function definitions: no library such as string or cmsgpack is reachable
-- then); a call runs only its own body.
-- A script file uses only its own names and the ones listed here:
--
--   ARG                     the script's named arguments: ARGV[1] is one
--                           msgpack map (ScriptCall), decoded by
--                           begin_call; no KEYS are passed. Absent values
--                           are nil; flags are booleans.
--   key(family, name)       a key of the layout: key('job', id),
--                           key('started', queue) (rq:wip:<q>),
--                           key('queues') for a fixed key (families: see
--                           keys::templates() in core/src/keys.cpp)
--   fail(message)           ends the script with an error reply; only legal
--                           before the script's first write
--   want(k, kind)           fail() unless key k is absent or of Redis TYPE
--                           `kind` ('hash', 'list', 'set', 'zset', 'stream',
--                           'string'); the message names the key
--   read(kind, command, k, ...)   redis.call(command, k, ...) for a read
--                           that only works on a key of TYPE `kind` (HGET,
--                           HMGET, SMEMBERS, LINDEX...): it proves k's type
--                           as want() does, without a TYPE call; on a wrong
--                           type it fails naming the key
--   first_write(kind, command, k, ...)   the same for the script's first
--                           write, which needs no want() of its own key:
--                           when it fails, nothing has been written yet
--   want_int(v, what)       a stored number a script parses: nil for nil,
--                           false (Redis' nil) or '', the number for an
--                           integer, fail() otherwise
--   want_number(v, what)    fail() unless v is nil/false or a number
--                           (HINCRBYFLOAT would fail on anything else)
--   remove_from_registry(id, origin, status)   ZREM from the registry of a
--                           status (RQ's Job._remove_from_registries)
--   check_push(id, origin)  the checks of push_job; push_job(id, origin,
--                           at_front, ts): RQ's Queue.enqueue_job (3.1)
--   check_retry(id, origin) the checks of retry_job; retry_job(id, origin,
--                           retries, intervals_json, now, ts): Job.retry (3.10)
--   plan_release(parent, status) -> plan   reads and checks of releasing a
--                           job's dependents (3.13); release(plan, ts) writes
--
-- The rule every script follows: Redis does not roll back a script that
-- fails half-way, so a script first reads and checks everything that can
-- fail (want() of every key it will write, decodes of stored values) and
-- only then writes. A script that cannot complete writes nothing.
-- (Section numbers: docs/redis-layout.md.)

local function fail(message)
  error({err = message})
end

-- Keys already found right in this call: a script's writes never change a
-- key's type (they create keys of that type or delete them), so one TYPE
-- per key. Reset by begin_call: between calls, anything may change.
local wanted

-- The start of every call: its checked, decoded ARG.
local function begin_call(KEYS, ARGV)
  wanted = {}
  if #KEYS ~= 0 or #ARGV ~= 1 then
    fail('expects no KEYS and one msgpack argument, got ' .. #KEYS .. ' keys and ' .. #ARGV ..
         ' arguments')
  end
  local ok, decoded = pcall(cmsgpack.unpack, ARGV[1])
  if not ok or type(decoded) ~= 'table' then fail('its argument is not a msgpack map') end
  return decoded
end

local function key(family, name)
  local t = KEY_TEMPLATES[family]
  return t[1] .. (name or '') .. t[2]
end

local function want(k, kind)
  if wanted[k] == kind then return end
  local got = redis.call('TYPE', k).ok
  if got ~= kind and got ~= 'none' then
    fail('key ' .. k .. ' is a ' .. got .. ', expected a ' .. kind .. ' (nothing was changed)')
  end
  wanted[k] = kind
end

-- A read the key's type must allow checks that type for free: the read
-- fails with WRONGTYPE, before any write, exactly when want() would.
local function read(kind, command, k, ...)
  if wanted[k] == kind then return redis.call(command, k, ...) end
  local r = redis.pcall(command, k, ...)
  if type(r) == 'table' and r.err then
    if string.find(r.err, 'WRONGTYPE', 1, true) then
      fail('key ' .. k .. ' is a ' .. redis.call('TYPE', k).ok .. ', expected a ' .. kind ..
           ' (nothing was changed)')
    end
    error(r)
  end
  wanted[k] = kind
  return r
end

-- As read(), but a key of another type does not fail the call: returns
-- false then, else true and the reply (Redis' nil is false too, hence the
-- flag). For keys a call can do without (a broken queue among several).
local function read_if_type(kind, command, k, ...)
  if wanted[k] == kind then return true, redis.call(command, k, ...) end
  local r = redis.pcall(command, k, ...)
  if type(r) == 'table' and r.err then
    if string.find(r.err, 'WRONGTYPE', 1, true) then return false end
    error(r)
  end
  wanted[k] = kind
  return true, r
end

-- Only legal as the first write: a failing later write would leave the
-- earlier ones in place.
local first_write = read

local function want_int(v, what)
  if not v or v == '' then return nil end  -- nil, or false: Redis' nil reply
  local n = tonumber(v)
  if not n or n ~= math.floor(n) then
    fail(what .. " is not an integer: '" .. tostring(v) .. "' (nothing was changed)")
  end
  return n
end

local function want_number(v, what)
  if v and not tonumber(v) then
    fail(what .. " is not a number: '" .. v .. "' (nothing was changed)")
  end
end

-- The registry a job of `status` is listed in, as RQ's
-- Job._remove_from_registries maps it (failed and stopped share one).
local registry_of_status = {
  finished = 'finished', deferred = 'deferred', started = 'started', scheduled = 'scheduled',
  failed = 'failed', stopped = 'failed', canceled = 'canceled'
}

local function remove_from_registry(id, origin, status)
  local family = status and registry_of_status[status]
  if family and origin and origin ~= '' then redis.call('ZREM', key(family, origin), id) end
end

local function check_push(id, origin)
  local jkey = key('job', id)
  want(key('queue', origin), 'list')
  want(key('queues'), 'set')
  want_int(read('hash', 'HGET', jkey, 'ttl'), 'field ttl of ' .. jkey)
end

-- RQ's Queue.enqueue_job for a job whose hash already exists (3.1):
-- rq:queues entry, status queued with a new enqueued_at, the job's own ttl
-- (Job.cleanup(ttl)) on its three keys, then RPUSH (LPUSH when at_front).
local function push_job(id, origin, at_front, ts)
  local jkey = key('job', id)
  local qkey = key('queue', origin)
  redis.call('SADD', key('queues'), qkey)
  redis.call('HSET', jkey, 'status', 'queued', 'enqueued_at', ts)
  local ttl = tonumber(redis.call('HGET', jkey, 'ttl'))
  if ttl and ttl > 0 then
    redis.call('EXPIRE', jkey, ttl)
    redis.call('EXPIRE', key('dependents', id), ttl)
    redis.call('EXPIRE', key('dependencies', id), ttl)
  end
  redis.call(at_front and 'LPUSH' or 'RPUSH', qkey, id)
end

local function check_retry(id, origin)
  check_push(id, origin)
  want(key('scheduled', origin), 'zset')
end

-- 3.10 as RQ's Job.retry, for a job with `retries` (> 0) left: interval =
-- intervals[max(len - retries, 0)] with the value before decrementing;
-- retries_left is decremented; interval 0 re-enqueues (push_job), more
-- schedules it: status scheduled, ZADD rq:scheduled:<origin> now+interval,
-- SADD rq:queues (Queue.schedule_job). Writes no result entry. An
-- undecodable retry_intervals counts as [0], as before.
local function retry_job(id, origin, retries, intervals_json, now, ts)
  local ok, intervals = pcall(cjson.decode, intervals_json or '[0]')
  if not ok or type(intervals) ~= 'table' or #intervals == 0 then intervals = {0} end
  local interval = tonumber(intervals[math.max(#intervals - retries, 0) + 1]) or 0
  local jkey = key('job', id)
  redis.call('HSET', jkey, 'retries_left', retries - 1)
  if interval > 0 then
    redis.call('SADD', key('queues'), key('queue', origin))
    redis.call('HSET', jkey, 'status', 'scheduled')
    redis.call('ZADD', key('scheduled', origin), now + interval, id)
  else
    push_job(id, origin, false, ts)
  end
end

-- 3.13: after `parent_id` ended (finished, failed, stopped) or was canceled
-- with enqueue_dependents, every dependent whose other dependencies are met
-- is enqueued (push_job, at the front when the dependent says
-- enqueue_at_front 1, into its own origin): status finished, or failed when
-- it allows failures; a dependency whose hash or status is gone counts as
-- met. The parent itself counts as met unless it failed and the dependent
-- does not allow failures (a stopped parent, or a canceled one whose
-- dependents are released on purpose, counts as met). Canceled or vanished
-- dependents are skipped. Released ids leave the parent's dependents set
-- (DEL when all did). plan_release reads and checks; release writes.
local function plan_release(parent_id, parent_status)
  local dkey = key('dependents', parent_id)
  local plan = {dkey = dkey, members = read('set', 'SMEMBERS', dkey), released = {}}
  for _, dep in ipairs(plan.members) do
    local d = read('hash', 'HMGET', key('job', dep), 'status', 'origin',
                   'allow_dependency_failures', 'enqueue_at_front')
    if d[1] and d[1] ~= 'canceled' and d[2] and d[2] ~= '' then
      local allow = d[3] == '1'
      local met = parent_status ~= 'failed' or allow
      if met then
        for _, other in ipairs(read('set', 'SMEMBERS', key('dependencies', dep))) do
          if other ~= parent_id then
            local st = read('hash', 'HGET', key('job', other), 'status')
            if st and not (st == 'finished' or (allow and st == 'failed')) then
              met = false
              break
            end
          end
        end
      end
      if met then
        want(key('deferred', d[2]), 'zset')
        check_push(dep, d[2])
        plan.released[#plan.released + 1] = {dep, d[2], d[4] == '1'}
      end
    end
  end
  return plan
end

local function release(plan, ts)
  for _, r in ipairs(plan.released) do
    redis.call('ZREM', key('deferred', r[2]), r[1])
    push_job(r[1], r[2], r[3], ts)
  end
  if #plan.members == 0 or #plan.released == 0 then return end
  if #plan.released == #plan.members then
    redis.call('DEL', plan.dkey)
  else
    local ids = {}
    for i, r in ipairs(plan.released) do ids[i] = r[1] end
    redis.call('SREM', plan.dkey, unpack(ids))
  end
end
