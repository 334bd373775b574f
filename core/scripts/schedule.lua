-- Schedule one job (rq-wire-format.md 3.3, enqueue_at / enqueue_in): run-time
-- score in the scheduled registry, the queue registered in rq:queues, the
-- hash with status scheduled and no enqueued_at. Nothing is pushed; a
-- Scheduler (core/scripts/schedule_due.lua) moves the job once it is due.
-- RQ issues the ZADD outside its transaction; here all of it is one call.
--
-- KEYS[1] rq:job:<id>   KEYS[2] rq:queue:<q>   KEYS[3] rq:queues
-- KEYS[4] rq:scheduled:<q>
-- ARGV[1] job id   ARGV[2] run time (integer Unix seconds)
-- ARGV[3..] field, value pairs of the job hash, without status
-- Returns "scheduled".
redis.call('ZADD', KEYS[4], ARGV[2], ARGV[1])
redis.call('SADD', KEYS[3], KEYS[2])
local fields = {}
for i = 3, #ARGV do fields[#fields + 1] = ARGV[i] end
fields[#fields + 1] = 'status'
fields[#fields + 1] = 'scheduled'
redis.call('HSET', KEYS[1], unpack(fields))
return 'scheduled'
