-- worker_register: a worker's birth (docs/redis-layout.md 1.5, 3.4), atomically
-- with the check that no live worker has the name.
--
-- ARG: worker (name), queues (its queue names), birth (TS), pid, hostname,
-- ip_address, version, python_version, ttl (key TTL), state, current_job
-- ('' for none; set when re-registering while busy).
-- Returns 1, or 0 (nothing written) when rq:worker:<w> exists without
-- `death`.
local wkey = key('worker', ARG.worker)
local sets = {key('workers')}
for _, q in ipairs(ARG.queues) do sets[#sets + 1] = key('queue_workers', q) end
want(wkey, 'hash')
for _, s in ipairs(sets) do want(s, 'set') end
if redis.call('EXISTS', wkey) == 1 and redis.call('HEXISTS', wkey, 'death') == 0 then
  return 0
end
redis.call('DEL', wkey)
redis.call('HSET', wkey, 'birth', ARG.birth, 'last_heartbeat', ARG.birth, 'queues',
           table.concat(ARG.queues, ','), 'pid', ARG.pid, 'hostname', ARG.hostname, 'ip_address',
           ARG.ip_address, 'version', ARG.version, 'python_version', ARG.python_version, 'state',
           ARG.state)
if ARG.current_job ~= '' then
  redis.call('HSET', wkey, 'current_job', ARG.current_job, 'current_job_working_time', '0')
end
for _, s in ipairs(sets) do redis.call('SADD', s, wkey) end
redis.call('EXPIRE', wkey, ARG.ttl)
return 1
