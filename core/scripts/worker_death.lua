-- worker_death: a worker's clean exit (wire doc 1.5).
-- KEYS: 1 rq:worker:<w>   2 rq:workers   3.. rq:workers:<q> for each queue
-- ARGV: 1 TS
for i = 2, #KEYS do redis.call('SREM', KEYS[i], KEYS[1]) end
redis.call('HSET', KEYS[1], 'death', ARGV[1])
redis.call('EXPIRE', KEYS[1], 60)
return 1
