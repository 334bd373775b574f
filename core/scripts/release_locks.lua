-- Release locks only where they still hold our value (a lock that lapsed
-- and was taken by another process is left to it).
-- KEYS: the lock keys   ARGV[1] our lock value
-- Returns how many were deleted.
local n = 0
for _, k in ipairs(KEYS) do
  if redis.call('GET', k) == ARGV[1] then
    redis.call('DEL', k)
    n = n + 1
  end
end
return n
