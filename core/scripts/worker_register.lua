-- worker_register: a worker's birth (wire doc 1.5, 3.4), atomically with the
-- check that no live worker has the name.
-- KEYS: 1 rq:worker:<w>   2 rq:workers   3.. rq:workers:<q> for each queue
-- ARGV: 1 birth TS   2 queues "q1,q2"   3 pid   4 hostname   5 ip_address
--       6 version   7 python_version   8 key TTL   9 state
--       10 current_job ('' for none; set when re-registering while busy)
-- Returns 1, or 0 (nothing written) when rq:worker:<w> exists without `death`.
if redis.call('EXISTS', KEYS[1]) == 1 and redis.call('HEXISTS', KEYS[1], 'death') == 0 then
  return 0
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'birth', ARGV[1], 'last_heartbeat', ARGV[1], 'queues', ARGV[2],
           'pid', ARGV[3], 'hostname', ARGV[4], 'ip_address', ARGV[5], 'version', ARGV[6],
           'python_version', ARGV[7], 'state', ARGV[9])
if ARGV[10] ~= '' then
  redis.call('HSET', KEYS[1], 'current_job', ARGV[10], 'current_job_working_time', '0')
end
for i = 2, #KEYS do redis.call('SADD', KEYS[i], KEYS[1]) end
redis.call('EXPIRE', KEYS[1], ARGV[8])
return 1
