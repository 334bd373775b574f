// The fetcher: the worker's per-job Redis traffic (docs/design.md, "hot
// path"), i.e. the client of core/scripts/take_finish.lua, called alone (take)
// or fused (finish+take). In steady state one job costs one call of finish()
// with take_next.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "rqcpp/defaults.hpp"

namespace rqcpp {

class Connection;
namespace detail {
class ScriptCall;
}

// A job the take script popped and marked started.
struct TakenJob {
  std::string queue;  // the queue it was popped from
  std::string id;
  std::string origin;   // registries use this (the job's origin, else queue)
  std::string timeout;  // raw `timeout` field, "" when absent
  std::string data;     // raw `data` field
  std::string meta;     // raw `meta` field, "" when absent
  // "libname:function" callbacks (success/failure/stopped_callback_name), ""
  // when none (RQ stores "" for none too).
  std::string on_success;
  std::string on_failure;
  std::string on_stopped;
};

// What a take (alone or after a finish) found.
struct TakeReply {
  enum class Kind { kJob, kEmpty, kSuspended, kUnregistered, kNone };
  Kind kind = Kind::kNone;   // kNone: finish without take
  TakenJob job;              // when kJob
  std::string finish_state;  // finish_and_take only: "done", "retried", "skipped"
  // kJob, kEmpty: what the take had to pass over (take_finish.lua): a
  // queue whose key is not a list, or a job left queued in it.
  struct Skipped {
    std::string queue;
    std::string why;  // "rq:queue:q is a string", "job <id> (rq:wip:o is a string)"
    bool operator==(const Skipped&) const = default;
  };
  std::vector<Skipped> skipped;
};

// One job's outcome, already encoded for Redis.
struct FinishRequest {
  std::string id;
  std::string origin;
  std::string status;   // "finished", "failed" or "stopped"
  std::string payload;  // base64 return value ("" for None) or base64(zlib(exc text))
  bool has_value = false;
  double working_time = 0;          // seconds
  std::optional<std::string> meta;  // encoded with the job's serializer; nullopt = unchanged
};

class Fetcher {
 public:
  Fetcher(std::string worker_name, std::vector<std::string> queues,
          std::chrono::seconds monitoring_interval, long long default_result_ttl);

  // Takes the next job: one round trip. Queues that cannot be served (a key
  // of the wrong type) are passed over and named in TakeReply::skipped.
  // Throws RedisError, also when the worker's own key has the wrong type
  // (the message names it; nothing was popped or written).
  TakeReply take(Connection& conn) const;
  // Records the outcome (and takes the next job when take_next): one round
  // trip. Safe to repeat after a lost reply; writes nothing when it throws
  // for a wrong-typed key. `while_waiting` runs while Redis executes it
  // (Connection::eval). Throws RedisError.
  TakeReply finish(Connection& conn, const FinishRequest& request, bool take_next,
                   const std::function<void()>& while_waiting = nullptr) const;
  // The finish in mode 'sync' (SyncQueue): the outcome of a job the caller
  // ran itself, recorded without any worker hash; never takes. Returns the
  // finish state ('done', 'retried', 'skipped'). Throws RedisError.
  std::string finish_sync(Connection& conn, const FinishRequest& request) const;
  // The worker key's TTL while idle (RQ: worker_ttl 420 + 60) and the grace
  // added to a fresh job's heartbeat TTL (RQ: 60); RQ's values until called.
  void set_heartbeat_ttls(std::chrono::seconds idle_worker_ttl, std::chrono::seconds grace) {
    idle_worker_ttl_ = idle_worker_ttl.count();
    heartbeat_grace_ = grace.count();
  }
  // The order in which later takes try the queues (--dequeue-strategy).
  void set_queue_order(std::vector<std::string> queues) { queues_ = std::move(queues); }
  const std::vector<std::string>& queue_order() const { return queues_; }

 private:
  detail::ScriptCall common_args(const char* mode) const;
  detail::ScriptCall finish_args(const char* mode, const FinishRequest& f, bool take_next) const;
  std::string worker_name_;
  std::vector<std::string> queues_;
  long long interval_;
  long long default_result_ttl_;
  long long idle_worker_ttl_ = (defaults::kWorkerTtl + defaults::kHeartbeatGrace).count();
  long long heartbeat_grace_ = defaults::kHeartbeatGrace.count();
};

}  // namespace rqcpp
