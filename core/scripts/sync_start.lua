-- sync_start: SyncQueue's take (sync_queue.hpp, RQ's is_async=False): marks
-- one just-enqueued job started for the calling process, as take_finish.lua
-- does for a worker (docs/redis-layout.md 3.6), but for that job only: LREM
-- from its queue, status started, started_at, last_heartbeat, worker_name,
-- PERSIST, ZADD rq:wip:<queue> now + ttl. No worker hash is involved.
--
-- ARG: id, queue (the job's origin), now, ts, worker (name to record), ttl
-- (heartbeat TTL).
-- Returns {'job', data, origin, timeout, meta}, {'nojob'} or
-- {'not_queued', status} (deferred, say: nothing changed).
local jkey, qkey, wip = key('job', ARG.id), key('queue', ARG.queue), key('started', ARG.queue)
want(jkey, 'hash')
want(qkey, 'list')
want(wip, 'zset')
local f = redis.call('HMGET', jkey, 'data', 'origin', 'timeout', 'meta', 'status')
if not f[1] then return {'nojob'} end
if f[5] ~= 'queued' then return {'not_queued', f[5] or ''} end
redis.call('LREM', qkey, 1, ARG.id)
redis.call('HSET', jkey, 'status', 'started', 'started_at', ARG.ts, 'last_heartbeat', ARG.ts,
           'worker_name', ARG.worker)
redis.call('PERSIST', jkey)
redis.call('ZADD', wip, ARG.now + ARG.ttl, ARG.id)
return {'job', f[1], f[2] or '', f[3] or '', f[4] or ''}
