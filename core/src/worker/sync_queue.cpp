// SyncQueue: enqueue, take that job, run it in this process, finish it with
// the worker's finish script; see sync_queue.hpp.
#include "rqcpp/worker/sync_queue.hpp"

#include "rqcpp/connection.hpp"
#include "rqcpp/defaults.hpp"
#include "rqcpp/error.hpp"
#include "rqcpp/keys.hpp"
#include "rqcpp/script.hpp"
#include "rqcpp/serialization.hpp"
#include "rqcpp/timestamp.hpp"
#include "rqcpp_scripts.hpp"
#include "script_call.hpp"
#include "worker/fetcher.hpp"
#include "worker/job_execution.hpp"
#include "worker/plugin_call.hpp"
#include "worker/plugin_loader.hpp"

namespace rqcpp {

namespace {

constexpr const char* kSyncWorker = "sync";  // RQ's run_sync: prepare_for_execution('sync')

}  // namespace

SyncQueue::SyncQueue(Connection& conn, std::string name, std::string plugin_dir,
                     Serializer serializer, long long default_result_ttl)
    : conn_(&conn),
      queue_(conn, std::move(name), serializer),
      plugin_dir_(std::move(plugin_dir)),
      default_result_ttl_(default_result_ttl) {}

SyncQueue::~SyncQueue() = default;

Job SyncQueue::enqueue_call(std::string_view func_name, const Args& args,
                            const EnqueueOptions& options) {
  Job job = queue_.enqueue_call(func_name, args, options);
  const std::string& id = job.id();
  const std::string origin = queue_.name();
  // The running job's rq:wip deadline: as a worker's first heartbeat TTL.
  constexpr long long kHeartbeatTtl =
      (defaults::kJobMonitoringInterval + defaults::kHeartbeatGrace).count();
  Reply r = detail::ScriptCall()
                .str("id", id)
                .str("queue", origin)
                .integer("now", now_seconds())
                .str("ts", now_timestamp())
                .str("worker", kSyncWorker)
                .integer("ttl", kHeartbeatTtl)
                .run(*conn_, scripts::sync_start());
  if (r.size() < 1) throw RedisError("sync_start script returned an unexpected reply");
  if (r.at(0).str() != "job") return Job::fetch(*conn_, id);  // deferred: nothing to run yet
  if (r.size() < 5) throw RedisError("sync_start script returned a short reply");

  TakenJob taken;
  taken.queue = origin;
  taken.id = id;
  taken.data = r.at(1).str();
  taken.origin = r.at(2).str().empty() ? origin : std::string(r.at(2).str());
  taken.timeout = r.at(3).str();
  taken.meta = r.at(4).str();

  PluginCall base;
  base.plugin_dir = plugin_dir_;  // no Redis URL: save_meta is not available here
  ExecutedJob executed = execute_job(taken, base, PayloadLimits{}, [&](PluginCall& call) {
    return run_guarded([&] {
      FunctionRef ref = plugin_function_ref(call.func_name);
      auto it = plugins_.find(ref.libname);
      if (it == plugins_.end()) {
        it = plugins_
                 .emplace(ref.libname,
                          std::make_unique<Plugin>(Plugin::load(plugin_dir_, ref.libname)))
                 .first;
      }
      return call_plugin_function(call, it->second->function(ref.function));
    });
  });
  const FinishRequest& f = executed.finish;
  Fetcher fetcher(kSyncWorker, {origin}, defaults::kJobMonitoringInterval, default_result_ttl_);
  fetcher.finish_sync(*conn_, f);
  std::optional<Job> done = Job::try_fetch(*conn_, id);
  return done ? std::move(*done) : job;  // result_ttl 0: nothing is kept
}

}  // namespace rqcpp
