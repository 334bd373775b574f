-- worker_heartbeat: keeps a worker (and its running job) visibly alive
-- (wire doc 1.5 and 3.7).
-- KEYS: 1 rq:worker:<w>   [2 rq:job:<id>   3 rq:wip:<origin>]  (job keys only while busy)
-- ARGV: 1 TS   2 worker key TTL   [3 current_job_working_time   4 wip score   5 job id]
-- Returns 1, or 0 when the worker key is gone (the worker must register again).
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'last_heartbeat', ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
if KEYS[2] then
  redis.call('HSET', KEYS[1], 'current_job_working_time', ARGV[3])
  -- a new field means the job hash had been deleted: do not resurrect it
  if redis.call('HSET', KEYS[2], 'last_heartbeat', ARGV[1]) == 1 then
    redis.call('DEL', KEYS[2])
  end
  redis.call('ZADD', KEYS[3], 'XX', ARGV[4], ARGV[5])
end
return 1
