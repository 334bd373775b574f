-- Enqueue jobs without dependencies atomically, many per call: for each job
-- the writes of enqueue.lua for such a job (rq-wire-format.md 3.1), with what
-- the jobs share done once: one SADD rq:queues, one RPUSH (or LPUSH) of all
-- ids, and the hash fields the jobs of the call have in common sent once, as
-- a template (status first, as enqueue.lua leaves the hash).
--
-- KEYS[1] rq:queue:<q>   KEYS[2] rq:queues
-- ARGV[1] job key prefix (rq:job:)   ARGV[2] "1" = push to the front
-- ARGV[3] ttl seconds or "": then EXPIRE of each hash and of its dependents
--         and dependencies keys, as enqueue.lua
-- ARGV[4] m = template length; ARGV[5 .. 4+m] field, value pairs in order
-- ARGV[5+m] s = values per job; ARGV[6+m .. 5+m+s] their template positions
-- then per job: id, [rq:job:<id>:dependents, rq:job::<id>:dependencies when
-- a ttl is given], its s values
-- Returns the number of jobs queued.
local queue_key, prefix = KEYS[1], ARGV[1]
local at_front, ttl = ARGV[2] == '1', ARGV[3]
local m = tonumber(ARGV[4])
local template = {}
for i = 1, m do template[i] = ARGV[4 + i] end
local s = tonumber(ARGV[5 + m])
local slots = {}
for j = 1, s do slots[j] = tonumber(ARGV[5 + m + j]) end
local with_ttl = ttl ~= ''
local first_value = with_ttl and 3 or 1
local stride = first_value + s

-- The first job whose hash did not exist gets the whole template by HSET;
-- the others are COPYs of that hash (one allocation and memcpy of its
-- listpack, instead of parsing and inserting every field again) plus an
-- HSET of their own values. COPY (Redis >= 6.2) does not overwrite: a job
-- whose hash exists already (a reused job_id) gets the HSET of the
-- template, as enqueue.lua. Without COPY every job gets the HSET.
local source, can_copy, probed = nil, true, false
local own = {}
for j = 1, s do own[2 * j - 1] = template[slots[j] - 1] end

redis.call('SADD', KEYS[2], queue_key)
local ids, n = {}, 0
for r = 6 + m + s, #ARGV, stride do
  local id = ARGV[r]
  local key = prefix .. id
  for j = 1, s do template[slots[j]] = ARGV[r + first_value + j - 1] end
  local copied = false
  if source and can_copy and key ~= source then
    local reply
    if probed then
      reply = redis.call('COPY', source, key)
    else
      reply = redis.pcall('COPY', source, key)
      probed = true
      if type(reply) == 'table' and reply.err then
        can_copy, reply = false, 0
      end
    end
    copied = reply == 1
  end
  if copied then
    if s > 0 then
      for j = 1, s do own[2 * j] = template[slots[j]] end
      redis.call('HSET', key, unpack(own))
    end
  else
    if not source and redis.call('EXISTS', key) == 0 then source = key end
    redis.call('HSET', key, unpack(template))
  end
  if with_ttl then
    redis.call('EXPIRE', key, ttl)
    redis.call('EXPIRE', ARGV[r + 1], ttl)
    redis.call('EXPIRE', ARGV[r + 2], ttl)
  end
  n = n + 1
  ids[n] = id
end

-- unpack() is bounded by Lua's stack: push in slices, in order.
local push = at_front and 'LPUSH' or 'RPUSH'
for i = 1, n, 1000 do
  redis.call(push, queue_key, unpack(ids, i, math.min(i + 999, n)))
end
return n
