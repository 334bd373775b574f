// take / finish+take script calls; see hot_path.hpp and core/scripts/take.lua
// for the argument layout.
#include "worker/hot_path.hpp"

#include <cstdio>
#include <string_view>

#include "rqcpp/connection.hpp"
#include "rqcpp/error.hpp"
#include "rqcpp/keys.hpp"
#include "rqcpp/script.hpp"
#include "rqcpp/timestamp.hpp"
#include "rqcpp_lua_sources.hpp"

namespace rqcpp {

namespace {

constexpr long long kDefaultTimeout = 180;

const Script& take_script() {
  static const Script s("take", std::string(lua::take));
  return s;
}

const Script& finish_script() {
  // take.lua's prologue defines key() and queues_key for job_transitions.lua.
  static const Script s("finish+take", std::string(lua::take) + "\n" +
                                           std::string(lua::job_transitions) + "\n" +
                                           std::string(lua::finish));
  return s;
}

// keys.hpp is the only place that knows the layout; the scripts build
// per-job keys from these (prefix, suffix) pairs, in take.lua's order.
void append_key_templates(std::vector<std::string>& out) {
  static const std::vector<std::string> templates = [] {
    constexpr std::string_view marker = "\x1f<id>\x1f";
    using Fn = std::string (*)(std::string_view);
    const Fn fns[] = {keys::job,      keys::dependents, keys::dependencies, keys::results,
                      keys::queue,    keys::started,    keys::finished,     keys::failed,
                      keys::deferred, keys::scheduled};
    std::vector<std::string> t;
    for (Fn fn : fns) {
      std::string k = fn(marker);
      size_t at = k.find(marker);
      t.push_back(k.substr(0, at));
      t.push_back(k.substr(at + marker.size()));
    }
    return t;
  }();
  out.insert(out.end(), templates.begin(), templates.end());
}

std::vector<std::string_view> views(const std::vector<std::string>& v) {
  return {v.begin(), v.end()};
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
  } else if (kind == "empty") {
    t.kind = TakeReply::Kind::kEmpty;
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

HotPath::HotPath(std::string worker_name, std::vector<std::string> queues,
                 std::chrono::seconds monitoring_interval, long long default_result_ttl)
    : keys_{keys::worker(worker_name), std::string(keys::kQueues), std::string(keys::kSuspended)},
      worker_name_(std::move(worker_name)),
      queues_(std::move(queues)),
      interval_(monitoring_interval.count()),
      default_result_ttl_(default_result_ttl) {}

std::vector<std::string> HotPath::common_args(const char* mode) const {
  std::vector<std::string> a{mode,
                             worker_name_,
                             std::to_string(now_seconds()),
                             now_timestamp(),
                             std::to_string(interval_),
                             std::to_string(idle_worker_ttl_),
                             std::to_string(kDefaultTimeout),
                             std::to_string(heartbeat_grace_)};
  append_key_templates(a);
  a.push_back(std::to_string(queues_.size()));
  a.insert(a.end(), queues_.begin(), queues_.end());
  return a;
}

TakeReply HotPath::take(Connection& conn) const {
  std::vector<std::string> args = common_args("take");
  Reply r = conn.eval(take_script(), views(keys_), views(args));
  return parse_take(r, 0);
}

std::string HotPath::finish_sync(Connection& conn, const FinishRequest& f) const {
  std::vector<std::string> args = common_args("sync");
  char working[64];
  std::snprintf(working, sizeof working, "%.6f", f.working_time);
  args.insert(args.end(), {f.id, f.origin, f.status, f.payload, f.has_value ? "1" : "0", working,
                           f.meta ? "1" : "0", f.meta ? *f.meta : std::string(),
                           std::to_string(default_result_ttl_), "0"});
  Reply r = conn.eval(finish_script(), views(keys_), views(args));
  if (r.size() < 1) throw RedisError("finish script returned an unexpected reply");
  return std::string(r.at(0).str());
}

TakeReply HotPath::finish(Connection& conn, const FinishRequest& f, bool take_next,
                          const std::function<void()>& while_waiting) const {
  std::vector<std::string> args = common_args("finish");
  char working[64];
  std::snprintf(working, sizeof working, "%.6f", f.working_time);
  args.insert(args.end(), {f.id, f.origin, f.status, f.payload, f.has_value ? "1" : "0", working,
                           f.meta ? "1" : "0", f.meta ? *f.meta : std::string(),
                           std::to_string(default_result_ttl_), take_next ? "1" : "0"});
  Reply r = conn.eval(finish_script(), views(keys_), views(args), while_waiting);
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
