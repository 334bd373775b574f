// One enqueue, end to end: the job hash it writes (RQ's Job.to_dict order,
// docs/redis-layout.md 2 and 3.1; shared with enqueue_many in
// batch_enqueue.cpp through enqueue.hpp), Queue::enqueue_call (one
// enqueue.lua call, 3.1 and 3.2) and enqueue_call_at (one schedule.lua call,
// 3.3).
#include "enqueue.hpp"

#include <algorithm>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>

#include "msgpack_items.hpp"
#include "rqcpp/connection.hpp"
#include "rqcpp/defaults.hpp"
#include "rqcpp/error.hpp"
#include "rqcpp/function_ref.hpp"
#include "rqcpp/keys.hpp"
#include "rqcpp/queue.hpp"
#include "rqcpp/script.hpp"
#include "rqcpp/uuid.hpp"
#include "rqcpp_scripts.hpp"

namespace rqcpp::detail {
namespace {

// Throws std::invalid_argument when `name` is not "libname:function" by the
// one rule (rqcpp/function_ref.hpp); `what` names the option.
void check_function_ref(std::string_view name, const char* what) {
  if (std::string problem = FunctionRef::problem(name); !problem.empty()) {
    throw std::invalid_argument(std::string(what) + ": " + problem);
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

long long effective_timeout(const EnqueueOptions& o) {
  return o.job_timeout ? o.job_timeout->seconds : defaults::kJobTimeout.count();
}

}  // namespace

std::string check_enqueue(std::string_view func_name, const EnqueueOptions& o,
                          Serializer serializer) {
  check_function_ref(func_name, "function");
  for (const auto* cb : {&o.on_success, &o.on_failure, &o.on_stopped}) {
    if (!cb->empty()) check_function_ref(*cb, "callback");
  }
  if (effective_timeout(o) == 0) {
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
  if (o.meta.empty()) return {};
  try {
    map_items(o.meta, "meta");
    return encode_value(o.meta, serializer);
  } catch (const DecodeError& e) {
    throw std::invalid_argument(std::string("meta must be a msgpack map with string keys: ") +
                                e.what());
  }
}

void encode_call(std::string_view func_name, const Args& args, Serializer serializer,
                 EncodedCall& out) {
  std::string packed_args = args.args_msgpack();
  std::string packed_kwargs = args.kwargs_msgpack();
  if (!out.data.empty() && out.serializer == serializer && out.call.func_name == func_name &&
      out.call.args == packed_args && out.call.kwargs == packed_kwargs) {
    return;
  }
  out.serializer = serializer;
  out.call.func_name.assign(func_name);
  out.call.args = std::move(packed_args);
  out.call.kwargs = std::move(packed_kwargs);
  out.data.clear();  // a throw below must not leave a stale memo
  std::string data = encode_job_data(out.call, serializer);
  out.description = call_description(out.call);
  out.data = std::move(data);
}

EnqueueFields build_fields(const std::string& queue, const EncodedCall& encoded,
                           const EnqueueOptions& o, std::string meta, const std::string& ts) {
  EnqueueFields h;
  h.id = o.job_id ? *o.job_id : uuid4();

  // Field order follows RQ's Job.to_dict.
  auto& f = h.list;
  f.reserve(16);
  f.emplace_back("created_at", ts);
  f.emplace_back("data", encoded.data);
  f.emplace_back("success_callback_name", o.on_success);
  f.emplace_back("failure_callback_name", o.on_failure);
  if (!o.on_stopped.empty()) f.emplace_back("stopped_callback_name", o.on_stopped);
  f.emplace_back("started_at", std::string());
  f.emplace_back("ended_at", std::string());
  f.emplace_back("last_heartbeat", std::string());
  f.emplace_back("worker_name", std::string());
  if (o.retry) {
    f.emplace_back("retries_left", std::to_string(o.retry->max));
    f.emplace_back("retry_intervals", python_json_list(o.retry->intervals));
  }
  f.emplace_back("origin", queue);
  f.emplace_back("description", o.description ? *o.description : encoded.description);
  f.emplace_back("timeout", std::to_string(effective_timeout(o)));
  if (o.result_ttl) f.emplace_back("result_ttl", std::to_string(*o.result_ttl));
  if (o.failure_ttl) f.emplace_back("failure_ttl", std::to_string(*o.failure_ttl));
  if (!o.depends_on.empty()) {
    f.emplace_back("dependency_id", o.depends_on.front());
    f.emplace_back("dependency_ids", python_json_list(o.depends_on));
  }
  if (!meta.empty()) f.emplace_back("meta", std::move(meta));
  if (o.ttl) f.emplace_back("ttl", std::to_string(*o.ttl));
  if (o.allow_dependency_failures) f.emplace_back("allow_dependency_failures", "1");
  if (o.enqueue_at_front) f.emplace_back("enqueue_at_front", "1");
  return h;
}

ScriptCall enqueue_script_call(const std::string& queue, const EnqueueFields& f,
                               const EnqueueOptions& o, Clock::time_point now,
                               const std::string& ts) {
  ScriptCall call;
  call.str("id", f.id)
      .str("queue", queue)
      .integer("now", unix_seconds(now))
      .flag("at_front", o.at_front)
      .strs("deps", o.depends_on);
  if (o.ttl) call.integer("ttl", *o.ttl);
  // The hash of a queued job, in RQ's order; enqueue.lua turns it into a
  // deferred one's in place, so the common case is one HSET of this list.
  call.list("fields", 2 * f.list.size() + 4).item("status").item("queued");
  for (const auto& [name, value] : f.list) call.item(name).item(value);
  call.item("enqueued_at").item(ts);
  return call;
}

std::map<std::string, std::string> written_hash(FieldList&& list, std::string_view status,
                                                const std::string& enqueued_at) {
  std::map<std::string, std::string> out;
  for (auto& [name, value] : list) out.emplace(name, std::move(value));
  out.emplace("status", status);
  if (status == "queued") out.emplace("enqueued_at", enqueued_at);
  return out;
}

QueuedHashBuilder::QueuedHashBuilder(const EnqueueFields& shape) {
  std::vector<std::pair<std::string_view, int>> names;
  names.reserve(shape.list.size() + 2);
  for (size_t i = 0; i < shape.list.size(); ++i) {
    names.emplace_back(shape.list[i].first, static_cast<int>(i));
  }
  names.emplace_back("status", kStatus);
  names.emplace_back("enqueued_at", kEnqueuedAt);
  std::sort(names.begin(), names.end());
  for (const auto& [name, index] : names) order_.push_back(index);
}

std::map<std::string, std::string> QueuedHashBuilder::build(EnqueueFields&& f,
                                                            const std::string& enqueued_at) const {
  std::map<std::string, std::string> out;
  for (int index : order_) {
    if (index == kStatus) {
      out.emplace_hint(out.end(), "status", "queued");
    } else if (index == kEnqueuedAt) {
      out.emplace_hint(out.end(), "enqueued_at", enqueued_at);
    } else {
      auto& [name, value] = f.list[static_cast<size_t>(index)];
      out.emplace_hint(out.end(), name, std::move(value));
    }
  }
  return out;
}

}  // namespace rqcpp::detail

namespace rqcpp {

Job Queue::enqueue_call(std::string_view func_name, const Args& args,
                        const EnqueueOptions& options) {
  std::string meta = detail::check_enqueue(func_name, options, serializer_);
  // The last call this thread encoded: enqueueing the same call again skips
  // zlib and repr (a third of this function's instructions).
  thread_local detail::EncodedCall encoded;
  detail::encode_call(func_name, args, serializer_, encoded);
  Clock::time_point now = Clock::now();
  std::string ts = format_timestamp(now);
  detail::EnqueueFields f = detail::build_fields(name_, encoded, options, std::move(meta), ts);
  detail::ScriptCall call = detail::enqueue_script_call(name_, f, options, now, ts);
  // A job without dependencies can only be queued: its Job is built while
  // the script runs (from copies: `call` holds what a reload-and-retry sends).
  std::optional<Job> job;
  auto build_queued = [&] {
    job.emplace(Job::from_written(*conn_, f.id,
                                  detail::written_hash(detail::FieldList(f.list), "queued", ts),
                                  encoded.call, serializer_));
  };
  Reply r = call.run(*conn_, scripts::enqueue(),
                     options.depends_on.empty() ? build_queued : std::function<void()>());
  if (job && r.str() == "queued") return std::move(*job);
  auto fields = detail::written_hash(std::move(f.list), r.str(), ts);
  return Job::from_written(*conn_, std::move(f.id), std::move(fields), encoded.call, serializer_);
}

// schedule.lua's keys and arguments. RQ keeps at_front of a scheduled job as
// the enqueue_at_front field, used when the scheduler moves it.
Job Queue::enqueue_call_at(Clock::time_point when, std::string_view func_name, const Args& args,
                           const EnqueueOptions& options) {
  if (!options.depends_on.empty()) {
    throw std::invalid_argument(
        "depends_on cannot be combined with enqueue_at/enqueue_in (RQ ignores it there)");
  }
  EnqueueOptions o = options;
  o.enqueue_at_front = o.enqueue_at_front || o.at_front;
  std::string meta = detail::check_enqueue(func_name, o, serializer_);
  detail::EncodedCall encoded;
  detail::encode_call(func_name, args, serializer_, encoded);
  std::string ts = format_timestamp(Clock::now());
  detail::EnqueueFields f = detail::build_fields(name_, encoded, o, std::move(meta), ts);

  detail::ScriptCall call;
  // A time before 1970 would fall below the scheduler's range (0 .. NOW).
  call.str("id", f.id).str("queue", name_).integer("score", std::max(0LL, unix_seconds(when)));
  call.list("fields", 2 * f.list.size());
  for (const auto& [name, value] : f.list) call.item(name).item(value);
  Reply r = call.run(*conn_, scripts::schedule());
  auto fields = detail::written_hash(std::move(f.list), r.str(), ts);
  return Job::from_written(*conn_, std::move(f.id), std::move(fields), std::move(encoded.call),
                           serializer_);
}

Job Queue::enqueue_call_in(Clock::duration delay, std::string_view func_name, const Args& args,
                           const EnqueueOptions& options) {
  const Clock::time_point now = Clock::now();
  if (delay > Clock::time_point::max() - now) {
    throw std::invalid_argument(
        "enqueue_in: the delay ends after 2262-04-11, the latest time "
        "that can be scheduled");
  }
  return enqueue_call_at(now + delay, func_name, args, options);
}

}  // namespace rqcpp
