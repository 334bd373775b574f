// Queue::enqueue_call / enqueue_many: one enqueue.lua call per job
// (rq-wire-format.md 3.1 and 3.2), pipelined for many; enqueue_call_at:
// one schedule.lua call (3.3).
#include <algorithm>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "msgpack_items.hpp"
#include "rqcpp/connection.hpp"
#include "rqcpp/error.hpp"
#include "rqcpp/keys.hpp"
#include "rqcpp/queue.hpp"
#include "rqcpp/script.hpp"
#include "rqcpp/uuid.hpp"
#include "rqcpp_lua_sources.hpp"

namespace rqcpp {
namespace {

constexpr long long kDefaultTimeout = 180;  // RQ's Queue.DEFAULT_TIMEOUT

const Script& enqueue_script() {
  static const Script script("enqueue", std::string(lua::enqueue));
  return script;
}

bool plain_name(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// "libname:function", libname as design.md's plugin rule.
void check_func_name(std::string_view name, const char* what) {
  auto colon = name.find(':');
  auto lib = name.substr(0, colon);
  if (colon == std::string_view::npos || !plain_name(lib) || lib == "." || lib == ".." ||
      !plain_name(name.substr(colon + 1))) {
    throw std::invalid_argument(std::string(what) + " '" + std::string(name) +
                                "' is not of the form libname:function (libname and function "
                                "made of letters, digits, '_', '.', '-'; libname not . or ..)");
  }
}

// json.dumps of a list (", " separator, ASCII escapes), as RQ writes
// dependency_ids and retry_intervals.
template <class T>
std::string python_json_list(const std::vector<T>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    out += nlohmann::json(items[i]).dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
  }
  return out + "]";
}

// Everything one enqueue.lua (or schedule.lua) call needs, built and
// validated before any Redis access.
struct Prepared {
  std::string id;
  std::vector<std::string> keys;
  std::vector<std::string> args;
  std::map<std::string, std::string> fields;  // as written, minus status/enqueued_at
  std::string enqueued_at;
};

// The job hash fields in RQ's Job.to_dict order (minus status/enqueued_at),
// after validating every option.
struct HashFields {
  std::string id;
  Clock::time_point now;
  std::string ts;
  std::vector<std::pair<std::string, std::string>> list;
};

HashFields build_fields(const std::string& queue, Serializer serializer, std::string_view func_name,
                        const Args& call_args, const EnqueueOptions& o) {
  check_func_name(func_name, "function name");
  for (const auto* cb : {&o.on_success, &o.on_failure, &o.on_stopped}) {
    if (!cb->empty()) check_func_name(*cb, "callback");
  }
  long long timeout = o.job_timeout ? o.job_timeout->seconds : kDefaultTimeout;
  if (timeout == 0) {
    throw std::invalid_argument("job_timeout 0 is not allowed; use -1 for no limit");
  }
  if (o.ttl && *o.ttl <= 0) throw std::invalid_argument("ttl must be greater than 0");
  if (o.job_id && o.job_id->empty()) throw std::invalid_argument("job_id must not be empty");
  for (const auto& dep : o.depends_on) {
    if (dep.empty()) throw std::invalid_argument("depends_on holds an empty job id");
  }
  if (o.retry) {
    if (o.retry->max < 1) throw std::invalid_argument("retry max must be at least 1");
    for (auto i : o.retry->intervals) {
      if (i < 0) throw std::invalid_argument("retry intervals must not be negative");
    }
  }
  std::string meta;
  if (!o.meta.empty()) {
    try {
      detail::map_items(o.meta, "meta");
      meta = encode_value(o.meta, serializer);
    } catch (const DecodeError& e) {
      throw std::invalid_argument(std::string("meta must be a msgpack map with string keys: ") +
                                  e.what());
    }
  }

  JobCall call;
  call.func_name = std::string(func_name);
  call.args = call_args.args_msgpack();
  call.kwargs = call_args.kwargs_msgpack();

  HashFields h;
  h.id = o.job_id ? *o.job_id : uuid4();
  h.now = Clock::now();
  h.ts = format_timestamp(h.now);

  // Field order follows RQ's Job.to_dict.
  auto& f = h.list;
  f = {
      {"created_at", h.ts},
      {"data", encode_job_data(call, serializer)},
      {"success_callback_name", o.on_success},
      {"failure_callback_name", o.on_failure},
  };
  if (!o.on_stopped.empty()) f.emplace_back("stopped_callback_name", o.on_stopped);
  f.insert(f.end(),
           {{"started_at", ""}, {"ended_at", ""}, {"last_heartbeat", ""}, {"worker_name", ""}});
  if (o.retry) {
    f.emplace_back("retries_left", std::to_string(o.retry->max));
    f.emplace_back("retry_intervals", python_json_list(o.retry->intervals));
  }
  f.emplace_back("origin", queue);
  f.emplace_back("description", o.description ? *o.description : call_description(call));
  f.emplace_back("timeout", std::to_string(timeout));
  if (o.result_ttl) f.emplace_back("result_ttl", std::to_string(*o.result_ttl));
  if (o.failure_ttl) f.emplace_back("failure_ttl", std::to_string(*o.failure_ttl));
  if (!o.depends_on.empty()) {
    f.emplace_back("dependency_id", o.depends_on.front());
    f.emplace_back("dependency_ids", python_json_list(o.depends_on));
  }
  if (!meta.empty()) f.emplace_back("meta", meta);
  if (o.ttl) f.emplace_back("ttl", std::to_string(*o.ttl));
  if (o.allow_dependency_failures) f.emplace_back("allow_dependency_failures", "1");
  if (o.enqueue_at_front) f.emplace_back("enqueue_at_front", "1");
  return h;
}

void take_fields(Prepared& p, HashFields& h) {
  for (auto& [name, value] : h.list) {
    p.args.push_back(name);
    p.args.push_back(value);
    p.fields.emplace(std::move(name), std::move(value));
  }
}

Prepared prepare(const std::string& queue, Serializer serializer, std::string_view func_name,
                 const Args& call_args, const EnqueueOptions& o) {
  HashFields h = build_fields(queue, serializer, func_name, call_args, o);
  Prepared p;
  p.id = h.id;
  p.enqueued_at = h.ts;
  p.keys = {keys::job(p.id),       keys::queue(queue),     std::string(keys::kQueues),
            keys::deferred(queue), keys::dependents(p.id), keys::dependencies(p.id)};
  for (const auto& dep : o.depends_on) {
    p.keys.push_back(keys::job(dep));
    p.keys.push_back(keys::dependents(dep));
  }
  p.args = {p.id,
            std::to_string(unix_seconds(h.now)),
            h.ts,
            o.at_front ? "1" : "0",
            o.ttl ? std::to_string(*o.ttl) : "",
            std::to_string(o.depends_on.size())};
  p.args.insert(p.args.end(), o.depends_on.begin(), o.depends_on.end());
  take_fields(p, h);
  return p;
}

// schedule.lua's keys and arguments. RQ keeps at_front of a scheduled job as
// the enqueue_at_front field, used when the scheduler moves it.
Prepared prepare_scheduled(const std::string& queue, Serializer serializer, Clock::time_point when,
                           std::string_view func_name, const Args& call_args, EnqueueOptions o) {
  if (!o.depends_on.empty()) {
    throw std::invalid_argument(
        "depends_on cannot be combined with enqueue_at/enqueue_in (RQ ignores it there)");
  }
  o.enqueue_at_front = o.enqueue_at_front || o.at_front;
  HashFields h = build_fields(queue, serializer, func_name, call_args, o);
  Prepared p;
  p.id = h.id;
  p.keys = {keys::job(p.id), keys::queue(queue), std::string(keys::kQueues),
            keys::scheduled(queue)};
  // A time before 1970 would fall below the scheduler's range (0 .. NOW).
  p.args = {p.id, std::to_string(std::max(0LL, unix_seconds(when)))};
  take_fields(p, h);
  return p;
}

std::vector<std::string_view> views(const std::vector<std::string>& v) {
  return {v.begin(), v.end()};
}

const Script& schedule_script() {
  static const Script script("schedule", std::string(lua::schedule));
  return script;
}

Job finish(Connection& conn, Prepared& p, std::string_view status) {
  p.fields["status"] = std::string(status);
  if (status == "queued") p.fields["enqueued_at"] = p.enqueued_at;
  return Job::from_hash(conn, std::move(p.id), std::move(p.fields));
}

}  // namespace

Job Queue::enqueue_call(std::string_view func_name, const Args& args,
                        const EnqueueOptions& options) {
  Prepared p = prepare(name_, serializer_, func_name, args, options);
  Reply r = conn_->eval(enqueue_script(), views(p.keys), views(p.args));
  return finish(*conn_, p, r.str());
}

Job Queue::enqueue_call_at(Clock::time_point when, std::string_view func_name, const Args& args,
                           const EnqueueOptions& options) {
  Prepared p = prepare_scheduled(name_, serializer_, when, func_name, args, options);
  Reply r = conn_->eval(schedule_script(), views(p.keys), views(p.args));
  return finish(*conn_, p, r.str());
}

Job Queue::enqueue_call_in(Clock::duration delay, std::string_view func_name, const Args& args,
                           const EnqueueOptions& options) {
  return enqueue_call_at(Clock::now() + delay, func_name, args, options);
}

std::vector<Job> Queue::enqueue_many(const std::vector<JobSpec>& specs) {
  std::vector<Prepared> prepared;
  prepared.reserve(specs.size());
  for (const auto& s : specs)
    prepared.push_back(prepare(name_, serializer_, s.func_name, s.args, s.options));
  if (prepared.empty()) return {};

  const Script& script = enqueue_script();
  if (script.sha().empty()) conn_->load(script);
  for (const auto& p : prepared) conn_->append_eval(script, views(p.keys), views(p.args));
  std::vector<Reply> replies = conn_->replies();

  std::vector<Job> jobs;
  jobs.reserve(prepared.size());
  for (size_t i = 0; i < prepared.size(); ++i) {
    Reply& r = replies[i];
    if (r.is_error() && r.str().substr(0, 8) == "NOSCRIPT") {
      // Redis lost its script cache between load and pipeline: this call
      // did not run, so running it again is safe.
      r = conn_->eval(script, views(prepared[i].keys), views(prepared[i].args));
    }
    if (r.is_error()) throw RedisError("script enqueue: " + std::string(r.str()));
    jobs.push_back(finish(*conn_, prepared[i], r.str()));
  }
  return jobs;
}

}  // namespace rqcpp
