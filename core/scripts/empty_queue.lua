-- Queue.empty() as RQ's own script (rq-wire-format.md 3.14): pop every id and
-- delete its job hash and dependents set. Registries, ::dependencies sets
-- and results are left alone, as RQ leaves them.
-- KEYS[1] rq:queue:<q>   ARGV[1] job key prefix "rq:job:"   ARGV[2] ":dependents"
-- Returns the number of ids removed.
local count = 0
while true do
  local id = redis.call('LPOP', KEYS[1])
  if not id then break end
  redis.call('DEL', ARGV[1] .. id)
  redis.call('DEL', ARGV[1] .. id .. ARGV[2])
  count = count + 1
end
return count
