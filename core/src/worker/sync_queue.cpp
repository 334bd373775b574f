// SyncQueue: enqueue, take that job, run it in this process, finish it with
// the worker's finish script; see sync_queue.hpp.
#include "rqcpp/worker/sync_queue.hpp"

#include <chrono>

#include "rqcpp/connection.hpp"
#include "rqcpp/error.hpp"
#include "rqcpp/keys.hpp"
#include "rqcpp/script.hpp"
#include "rqcpp/serialization.hpp"
#include "rqcpp/timestamp.hpp"
#include "rqcpp/worker/plugin_loader.hpp"
#include "rqcpp_lua_sources.hpp"
#include "script_call.hpp"
#include "worker/hot_path.hpp"
#include "worker/job_outcome.hpp"
#include "worker/plugin_call.hpp"

namespace rqcpp {

namespace {

constexpr const char* kSyncWorker = "sync";  // RQ's run_sync: prepare_for_execution('sync')

const Script& sync_start_script() {
  static const Script s = detail::make_script("sync_start", lua::sync_start);
  return s;
}

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
  const std::string id = job.id();
  const std::string origin = queue_.name();
  // The running job's rq:wip deadline: as a worker's first heartbeat TTL.
  constexpr long long kHeartbeatTtl = 90;
  Reply r = detail::ScriptCall()
                .str("id", id)
                .str("queue", origin)
                .integer("now", now_seconds())
                .str("ts", now_timestamp())
                .str("worker", kSyncWorker)
                .integer("ttl", kHeartbeatTtl)
                .run(*conn_, sync_start_script());
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

  const auto start = std::chrono::steady_clock::now();
  Serializer serializer = Serializer::kMsgpack;
  JobCall call;
  HorseOutcome outcome;
  try {
    call = decode_job_data(taken.data, &serializer);
    std::string meta("\x80", 1);
    if (!taken.meta.empty()) meta = decode_value(taken.meta, serializer);
    HorseJob hj{id,   taken.origin, call.func_name,  call.args,  call.kwargs,
                meta, serializer,   std::string(""), plugin_dir_};  // no save_meta URL
    outcome = run_guarded([&] {
      FunctionRef ref = FunctionRef::parse(hj.func_name);
      auto it = plugins_.find(ref.libname);
      if (it == plugins_.end()) {
        it = plugins_
                 .emplace(ref.libname,
                          std::make_unique<Plugin>(Plugin::load(plugin_dir_, ref.libname)))
                 .first;
      }
      return call_plugin_function(hj, it->second->function(ref.function));
    });
  } catch (const DecodeError& e) {
    outcome = HorseOutcome::failure("DecodeError",
                                    std::string("job data cannot be decoded: ") + e.what());
    call.func_name = "<undecodable>";
  }
  const double working =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::string summary;
  FinishRequest f =
      make_finish_request(taken, serializer, call.func_name, std::move(outcome), working, summary);
  HotPath hot(kSyncWorker, {origin}, std::chrono::seconds(30), default_result_ttl_);
  hot.finish_sync(*conn_, f);
  std::optional<Job> done = Job::try_fetch(*conn_, id);
  return done ? std::move(*done) : job;  // result_ttl 0: nothing is kept
}

}  // namespace rqcpp
