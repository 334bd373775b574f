// take_finish.lua calls (take, finish+take, sync finish); the script's
// header documents its named arguments.
#include "worker/fetcher.hpp"

#include <cstdio>
#include <string_view>

#include "rqcpp/connection.hpp"
#include "rqcpp/defaults.hpp"
#include "rqcpp/error.hpp"
#include "rqcpp/script.hpp"
#include "rqcpp/timestamp.hpp"
#include "rqcpp_scripts.hpp"
#include "script_call.hpp"

namespace rqcpp {

namespace {

// The (queue, why) pairs from `from` on.
void read_skipped(const Reply& r, size_t from, TakeReply& t) {
  for (size_t i = from; i + 1 < r.size(); i += 2) {
    t.skipped.push_back({std::string(r.at(i).str()), std::string(r.at(i + 1).str())});
  }
}

TakeReply parse_take(const Reply& r, size_t first) {
  TakeReply t;
  if (r.size() <= first) throw RedisError("take script returned an unexpected reply");
  std::string_view kind = r.at(first).str();
  if (kind == "job") {
    if (r.size() < first + 7) throw RedisError("take script returned a short job reply");
    t.kind = TakeReply::Kind::kJob;
    t.job.queue = r.at(first + 1).str();
    t.job.id = r.at(first + 2).str();
    t.job.origin = r.at(first + 3).str();
    t.job.timeout = r.at(first + 4).str();
    t.job.data = r.at(first + 5).str();
    t.job.meta = r.at(first + 6).str();
    if (r.size() >= first + 10) {
      t.job.on_success = r.at(first + 7).str();
      t.job.on_failure = r.at(first + 8).str();
      t.job.on_stopped = r.at(first + 9).str();
    }
    read_skipped(r, first + 10, t);
  } else if (kind == "empty") {
    t.kind = TakeReply::Kind::kEmpty;
    read_skipped(r, first + 1, t);
  } else if (kind == "suspended") {
    t.kind = TakeReply::Kind::kSuspended;
  } else if (kind == "unregistered") {
    t.kind = TakeReply::Kind::kUnregistered;
  } else {
    throw RedisError("take script returned '" + std::string(kind) + "'");
  }
  return t;
}

}  // namespace

Fetcher::Fetcher(std::string worker_name, std::vector<std::string> queues,
                 std::chrono::seconds monitoring_interval, long long default_result_ttl)
    : worker_name_(std::move(worker_name)),
      queues_(std::move(queues)),
      interval_(monitoring_interval.count()),
      default_result_ttl_(default_result_ttl) {}

detail::ScriptCall Fetcher::common_args(const char* mode) const {
  detail::ScriptCall call;
  call.str("mode", mode)
      .str("worker", worker_name_)
      .integer("now", now_seconds())
      .str("ts", now_timestamp())
      .integer("interval", interval_)
      .integer("idle_ttl", idle_worker_ttl_)
      .integer("default_timeout", defaults::kJobTimeout.count())
      .integer("grace", heartbeat_grace_)
      .strs("queues", queues_);
  return call;
}

detail::ScriptCall Fetcher::finish_args(const char* mode, const FinishRequest& f,
                                        bool take_next) const {
  detail::ScriptCall call = common_args(mode);
  char working[64];
  std::snprintf(working, sizeof working, "%.6f", f.working_time);
  call.str("id", f.id)
      .str("origin", f.origin)
      .str("status", f.status)
      .str("payload", f.payload)
      .flag("has_value", f.has_value)
      .str("working_time", working)
      .integer("result_ttl", default_result_ttl_)
      .integer("failure_ttl", defaults::kFailureTtl.count())
      .flag("take_next", take_next);
  if (f.meta) call.str("meta", *f.meta);
  return call;
}

TakeReply Fetcher::take(Connection& conn) const {
  Reply r = common_args("take").run(conn, scripts::take_finish());
  return parse_take(r, 0);
}

std::string Fetcher::finish_sync(Connection& conn, const FinishRequest& f) const {
  Reply r = finish_args("sync", f, false).run(conn, scripts::take_finish());
  if (r.size() < 1) throw RedisError("finish script returned an unexpected reply");
  return std::string(r.at(0).str());
}

TakeReply Fetcher::finish(Connection& conn, const FinishRequest& f, bool take_next,
                          const std::function<void()>& while_waiting) const {
  Reply r = finish_args("finish", f, take_next).run(conn, scripts::take_finish(), while_waiting);
  if (r.size() >= 1 && r.at(0).str() == "unregistered") {
    TakeReply t;
    t.kind = TakeReply::Kind::kUnregistered;
    return t;
  }
  if (r.size() < 1) throw RedisError("finish script returned an unexpected reply");
  TakeReply t = take_next ? parse_take(r, 1) : TakeReply{};
  t.finish_state = r.at(0).str();
  return t;
}

}  // namespace rqcpp
