-- sync_start: SyncQueue's take (sync_queue.hpp, RQ's is_async=False): marks
-- one just-enqueued job started for the calling process, as take.lua does
-- for a worker (wire doc 3.6), but for that job only: LREM from its queue,
-- status started, started_at, last_heartbeat, worker_name, PERSIST, ZADD
-- rq:wip:<origin> NOW+heartbeat TTL. No worker hash is involved.
--
-- KEYS: 1 rq:job:<id>   2 rq:queue:<origin>   3 rq:wip:<origin>
-- ARGV: 1 id   2 NOW   3 TS   4 worker name to record   5 heartbeat TTL
-- Returns {'job', data, origin, timeout, meta}, {'nojob'} or
-- {'not_queued', status} (deferred, say: nothing changed).
local f = redis.call('HMGET', KEYS[1], 'data', 'origin', 'timeout', 'meta', 'status')
if not f[1] then return {'nojob'} end
if f[5] ~= 'queued' then return {'not_queued', f[5] or ''} end
redis.call('LREM', KEYS[2], 1, ARGV[1])
redis.call('HSET', KEYS[1], 'status', 'started', 'started_at', ARGV[3], 'last_heartbeat', ARGV[3],
           'worker_name', ARGV[4])
redis.call('PERSIST', KEYS[1])
redis.call('ZADD', KEYS[3], tonumber(ARGV[2]) + tonumber(ARGV[5]), ARGV[1])
return {'job', f[1], f[2] or '', f[3] or '', f[4] or ''}
