-- schedule: one job scheduled (docs/redis-layout.md 3.3, enqueue_at /
-- enqueue_in): run-time score in the scheduled registry, the queue
-- registered in rq:queues, the hash with status scheduled and no
-- enqueued_at. Nothing is pushed; a Scheduler (schedule_due.lua) moves the
-- job once it is due. RQ issues the ZADD outside its transaction; here all
-- of it is one call.
--
-- ARG: id, queue, score (run time, integer Unix seconds), fields (the job
-- hash's field, value pairs in order, without status).
-- Returns 'scheduled'.
local jkey, scheduled = key('job', ARG.id), key('scheduled', ARG.queue)
want(jkey, 'hash')
want(key('queues'), 'set')
want(scheduled, 'zset')
redis.call('ZADD', scheduled, ARG.score, ARG.id)
redis.call('SADD', key('queues'), key('queue', ARG.queue))
local fields = ARG.fields
fields[#fields + 1] = 'status'
fields[#fields + 1] = 'scheduled'
redis.call('HSET', jkey, unpack(fields))
return 'scheduled'
