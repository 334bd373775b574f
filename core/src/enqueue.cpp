// Queue::enqueue_call: one enqueue.lua call (docs/redis-layout.md 3.1 and
// 3.2); enqueue_call_at: one schedule.lua call (3.3). enqueue_many is in
// batch_enqueue.cpp; the fields all of them write are in enqueue_fields.cpp.
#include <algorithm>
#include <functional>
#include <optional>
#include <stdexcept>

#include "enqueue_fields.hpp"
#include "rqcpp/connection.hpp"
#include "rqcpp/queue.hpp"
#include "rqcpp/script.hpp"
#include "rqcpp_scripts.hpp"

namespace rqcpp {
namespace {


}  // namespace

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
  // the script runs (from copies: `call` holds what a NOSCRIPT retry sends).
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
  return enqueue_call_at(Clock::now() + delay, func_name, args, options);
}

}  // namespace rqcpp
