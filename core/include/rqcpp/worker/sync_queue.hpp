// RQ's Queue(is_async=False) for rqcpp: enqueue a job and run it at once in
// the calling process.
//
//   rqcpp::SyncQueue q(conn, "default", "/opt/plugins");
//   rqcpp::Job j = q.enqueue("builtin:add", 1, 2);   // already finished
//   j.result<long long>();                           // 3
//
// Redis ends up exactly as if a worker named "sync" had run the job (RQ's
// run_sync records worker_name "sync"): the enqueue writes of Queue, then
// the job is marked started (core/scripts/sync_start.lua: LREM from its
// queue, status started, rq:wip entry), the plugin function is called in
// this process (no fork, no timeout), and the outcome is recorded by the
// worker's own finish script (results stream, registries, TTLs, retries,
// dependents released into their queues for workers; no worker hash). Three
// round trips per job. Callbacks (on_success...) are not run, and a job
// function cannot save_meta() early (its meta is written with the outcome).
#pragma once

#include <map>
#include <memory>
#include <string>

#include "rqcpp/defaults.hpp"
#include "rqcpp/job.hpp"
#include "rqcpp/queue.hpp"
#include "rqcpp/typed_enqueue.hpp"

namespace rqcpp {

class Plugin;

// Not thread-safe. Holds a non-owning reference to `conn`, which must outlive
// it and every Job it returns. Loaded plugins stay loaded for the SyncQueue's
// lifetime (a plugin that crashes takes the caller's process with it: run
// only trusted plugins this way). Link rqcpp::runtime (find_package(rqcpp
// COMPONENTS runtime)).
class SyncQueue : public TypedEnqueue<SyncQueue> {
 public:
  // `plugin_dir` as rqworker's --plugin-dir; default_result_ttl as its
  // --results-ttl. No Redis access here.
  SyncQueue(Connection& conn, std::string name, std::string plugin_dir,
            Serializer serializer = Serializer::kMsgpack,
            long long default_result_ttl = defaults::kResultTtl.count());
  ~SyncQueue();
  SyncQueue(const SyncQueue&) = delete;
  SyncQueue& operator=(const SyncQueue&) = delete;

  const std::string& name() const { return queue_.name(); }

  // Enqueues as Queue::enqueue_call (same validation and errors), then runs
  // the job unless it is deferred (then it is returned deferred, as its
  // dependencies are not met). Returns the job re-read after its outcome:
  // finished or failed (or queued/scheduled again when a retry is due; with
  // result_ttl 0 the enqueue-time snapshot, as nothing is kept). A
  // job function's failure is not thrown: it is the job's outcome. Throws
  // RedisError.
  Job enqueue_call(std::string_view func_name, const Args& args,
                   const EnqueueOptions& options = {});
  // enqueue(...) and enqueue_with(...) as Queue's: typed_enqueue.hpp.

 private:
  Connection* conn_;
  Queue queue_;
  std::string plugin_dir_;
  long long default_result_ttl_;
  std::map<std::string, std::unique_ptr<Plugin>> plugins_;
};

}  // namespace rqcpp
