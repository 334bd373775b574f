// Cancel, requeue and delete (docs/redis-layout.md 3.14): Job::cancel,
// Job::requeue, Job::remove, Queue::requeue_failed / requeue_all_failed. Each
// state change is one lifecycle script call (core/scripts/cancel_job.lua,
// requeue_job.lua, delete_job.lua).
#include "rqcpp/error.hpp"
#include "rqcpp/job.hpp"
#include "rqcpp/queue.hpp"
#include "rqcpp_scripts.hpp"
#include "script_call.hpp"

namespace rqcpp {
namespace {

constexpr long long kRequeueBatch = 1000;

// RQ writes zlib.compress(b"") (78 9c 03 00 00 00 00 01) on requeue.
const std::string& empty_exc_info() {
  static const std::string z = zlib_compress("");
  return z;
}

// The arguments requeue_job.lua calls share.
detail::ScriptCall requeue_call(const std::string& queue, const std::string& ts, bool at_front) {
  detail::ScriptCall call;
  call.str("queue", queue).str("ts", ts).str("empty_exc_info", empty_exc_info());
  call.flag("at_front", at_front);
  return call;
}

// One requeue_job.lua call for one job; throws for its refusals.
std::string requeue_one(Connection& conn, const std::string& queue, const std::string& id,
                        bool at_front) {
  std::string ts = now_timestamp();
  Reply r = requeue_call(queue, ts, at_front).str("id", id).run(conn, scripts::requeue_job());
  if (r.str() == "nojob") throw NoSuchJobError("no such job: " + id);
  if (r.str() == "notfailed") {
    throw InvalidJobOperation("cannot requeue job " + id +
                              ": it is not in the failed registry of " + "queue '" + queue + "'");
  }
  return ts;
}

}  // namespace

void Job::cancel(bool enqueue_dependents) {
  Reply r = detail::ScriptCall()
                .str("id", id_)
                .integer("now", now_seconds())
                .str("ts", now_timestamp())
                .flag("enqueue_dependents", enqueue_dependents)
                .str("origin", origin())
                .run(*conn_, scripts::cancel_job());
  if (r.str() == "nojob") throw NoSuchJobError("no such job: " + id_);
  if (r.str() == "canceled") {
    fields_["status"] = "canceled";
    throw InvalidJobOperation("cannot cancel job " + id_ + ": it is already canceled");
  }
  fields_["status"] = "canceled";
}

void Job::requeue(bool at_front) {
  std::string queue = origin();
  if (queue.empty()) {
    throw InvalidJobOperation("cannot requeue job " + id_ + ": it has no origin queue");
  }
  std::string ts = requeue_one(*conn_, queue, id_, at_front);
  fields_["status"] = "queued";
  fields_["enqueued_at"] = ts;
  fields_["started_at"] = "";
  fields_["ended_at"] = "";
  fields_["exc_info"] = empty_exc_info();
}

long long Job::remove(bool delete_dependents) {
  return detail::ScriptCall()
      .str("id", id_)
      .flag("delete_dependents", delete_dependents)
      .str("origin", origin())
      .str("status", field("status"))
      .run(*conn_, scripts::delete_job())
      .integer();
}

void Queue::requeue_failed(const std::string& id, bool at_front) {
  requeue_one(*conn_, name_, id, at_front);
}

long long Queue::requeue_all_failed(bool at_front) {
  long long requeued = 0;
  while (true) {
    Reply r = requeue_call(name_, now_timestamp(), at_front)
                  .integer("limit", kRequeueBatch)
                  .run(*conn_, scripts::requeue_job());
    if (r.size() != 2) throw RedisError("script requeue_job returned an unexpected reply");
    requeued += r.at(1).integer();
    if (r.at(0).integer() < kRequeueBatch) return requeued;
  }
}

}  // namespace rqcpp
