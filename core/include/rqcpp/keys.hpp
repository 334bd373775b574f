// The Redis key layout: the one place that knows RQ 1.x's key names
// (docs: docs/redis-layout.md, section 1). Lua scripts build
// their keys from templates() (core/src/script_call.cpp hands them over)
// instead of spelling them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rqcpp::keys {

inline constexpr std::string_view kQueuePrefix = "rq:queue:";
inline constexpr std::string_view kJobPrefix = "rq:job:";
inline constexpr std::string_view kWorkerPrefix = "rq:worker:";

inline constexpr std::string_view kQueues = "rq:queues";    // SET of queue keys
inline constexpr std::string_view kWorkers = "rq:workers";  // SET of worker keys
inline constexpr std::string_view kSuspended = "rq:suspended";
// Suffix of a job's dependents set (rq:job:<id> + this).
inline constexpr std::string_view kDependentsSuffix = ":dependents";

std::string queue(std::string_view q);          // rq:queue:<q>
std::string job(std::string_view id);           // rq:job:<id>
std::string dependents(std::string_view id);    // rq:job:<id>:dependents
std::string dependencies(std::string_view id);  // rq:job::<id>:dependencies (double colon)
std::string results(std::string_view id);       // rq:results:<id>

std::string started(std::string_view q);    // rq:wip:<q>
std::string finished(std::string_view q);   // rq:finished:<q>
std::string failed(std::string_view q);     // rq:failed:<q>
std::string deferred(std::string_view q);   // rq:deferred:<q>
std::string scheduled(std::string_view q);  // rq:scheduled:<q>
std::string canceled(std::string_view q);   // rq:canceled:<q>

std::string worker(std::string_view w);          // rq:worker:<w>
std::string queue_workers(std::string_view q);   // rq:workers:<q>
std::string worker_channel(std::string_view w);  // rq:pubsub:<w>
std::string scheduler_lock(std::string_view q);  // rq:scheduler-lock:<q>
std::string clean_lock(std::string_view q);      // rq:clean_registries:<q>

// The layout as templates, for the Lua scripts (core/src/script_call.cpp
// hands them over): each family's key is prefix + name + suffix, built from
// the functions above; the fixed keys (queues, workers, suspended) have the
// whole key as prefix and take no name. Families: job, dependents,
// dependencies, results, queue, started, finished, failed, deferred,
// scheduled, canceled, worker, queue_workers, scheduler_lock, clean_lock,
// queues, workers, suspended.
struct Template {
  std::string_view family;
  std::string prefix;
  std::string suffix;
};
const std::vector<Template>& templates();

// Name from a full key: "rq:queue:default" -> "default". Returns the input
// unchanged when it does not carry the prefix.
std::string_view strip(std::string_view key, std::string_view prefix);

}  // namespace rqcpp::keys
