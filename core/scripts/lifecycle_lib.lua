-- lifecycle_lib: helpers shared by the job life-cycle scripts (scheduler,
-- cancel, requeue, delete, registry cleaning). Never sent alone: rqcpp sends
-- this text, then job_transitions.lua (push_job, retry_job,
-- release_dependents), then one script's body as one script
-- (core/src/lifecycle_script.cpp), so every operation stays one atomic call.
--
-- ARGV 1..26: the key layout as (prefix, suffix) pairs, in the order of
--             `kinds` below (built from keys.hpp, the only place that knows
--             the layout), so key(kind, id) = prefix .. id .. suffix
-- ARGV 27:    the rq:queues key
-- ARGV 28..:  the body's own arguments, available to it as A[1], A[2], ...

local kinds = {'job', 'dependents', 'dependencies', 'queue', 'started', 'finished', 'failed',
               'deferred', 'scheduled', 'canceled', 'worker', 'scheduler_lock', 'clean_lock'}
local tpl = {}
for i, kind in ipairs(kinds) do tpl[kind] = {ARGV[2 * i - 1], ARGV[2 * i]} end
local queues_key = ARGV[2 * #kinds + 1]
local A = {}
for i = 2 * #kinds + 2, #ARGV do A[#A + 1] = ARGV[i] end

local function key(kind, name)
  local t = tpl[kind]
  return t[1] .. name .. t[2]
end

-- The registry a job of `status` is listed in, as RQ's
-- Job._remove_from_registries maps it (failed and stopped share one).
local registry_of_status = {
  finished = 'finished', deferred = 'deferred', started = 'started', scheduled = 'scheduled',
  failed = 'failed', stopped = 'failed', canceled = 'canceled'
}

local function remove_from_registry(id, origin, status)
  local kind = status and registry_of_status[status]
  if kind and origin and origin ~= '' then redis.call('ZREM', key(kind, origin), id) end
end
