-- release_locks: release scheduler locks only where they still hold our
-- value (a lock that lapsed and was taken by another process is left to it).
--
-- ARG: queues (names), token (our lock value).
-- Returns how many were deleted.
local mine = {}
for _, q in ipairs(ARG.queues) do
  local lock = key('scheduler_lock', q)
  want(lock, 'string')
  if redis.call('GET', lock) == ARG.token then mine[#mine + 1] = lock end
end
for _, lock in ipairs(mine) do redis.call('DEL', lock) end
return #mine
