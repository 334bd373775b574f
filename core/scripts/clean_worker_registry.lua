-- RQ's clean_worker_registry(queue) (rq-wire-format.md 1.5, 5): drop every
-- member of rq:workers:<q> whose worker hash is gone from that set and from
-- rq:workers.
-- KEYS[1] rq:workers:<q>   KEYS[2] rq:workers
-- Returns how many members were dropped.
local n = 0
for _, w in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', w) == 0 then
    redis.call('SREM', KEYS[1], w)
    redis.call('SREM', KEYS[2], w)
    n = n + 1
  end
end
return n
