// A job handle bound to one plugin function (RQ's @job decorator): the
// function reference, the queue and default enqueue options are given once,
// each delay(...) then enqueues one call.
//
//   rqcpp::JobFunction add(conn, "default", "mylib:add");
//   rqcpp::Job j = add.delay(2, 3);
//
//   // Typed: arguments are converted to the declared parameter types at
//   // compile time, and result_type names what Job::result<> should decode.
//   rqcpp::TypedJobFunction<int(int, int)> typed_add(conn, "default", "mylib:add");
//   rqcpp::Job k = typed_add.delay(2, 3);
//   auto value = k.result<decltype(typed_add)::result_type>();
//
//   // Per-call options: start from the defaults and change what differs.
//   rqcpp::EnqueueOptions o = add.options();
//   o.at_front = true;
//   add.delay_with(o, 4, 5);
#pragma once

#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "rqcpp/args.hpp"
#include "rqcpp/job.hpp"
#include "rqcpp/queue.hpp"

namespace rqcpp {

// Holds a non-owning reference to `conn`, which must outlive the handle and
// every Job it returns. Copyable; as thread-safe as the Connection (i.e. not).
class JobFunction {
 public:
  // `func_name` is "libname:function"; it is checked by the first enqueue
  // (std::invalid_argument there), not here. Throws std::invalid_argument
  // for an empty queue name.
  JobFunction(Connection& conn, std::string queue, std::string func_name,
              EnqueueOptions defaults = {}, Serializer serializer = Serializer::kMsgpack)
      : queue_(conn, std::move(queue), serializer),
        func_name_(std::move(func_name)),
        defaults_(std::move(defaults)) {}

  const std::string& func_name() const { return func_name_; }
  const std::string& queue_name() const { return queue_.name(); }
  // The defaults every delay() uses; copy and change them for delay_with().
  const EnqueueOptions& options() const { return defaults_; }

  // Enqueues func_name(args...) on the queue with the default options (one
  // round trip, as Queue::enqueue_call; same errors). A job_id in the
  // defaults is used by every call (each overwrites the previous job, as in
  // RQ).
  template <class... A>
  Job delay(A&&... args) {
    return queue_.enqueue_call(func_name_, Args::of(std::forward<A>(args)...), defaults_);
  }
  // The same with `options` instead of the defaults.
  template <class... A>
  Job delay_with(const EnqueueOptions& options, A&&... args) {
    return queue_.enqueue_call(func_name_, Args::of(std::forward<A>(args)...), options);
  }
  // With prepared arguments (e.g. keyword arguments), defaults or `options`.
  Job call(const Args& args) { return queue_.enqueue_call(func_name_, args, defaults_); }
  Job call(const Args& args, const EnqueueOptions& options) {
    return queue_.enqueue_call(func_name_, args, options);
  }

  // Scheduled forms (Queue::enqueue_call_at; same errors).
  template <class... A>
  Job delay_at(Clock::time_point when, A&&... args) {
    return queue_.enqueue_call_at(when, func_name_, Args::of(std::forward<A>(args)...), defaults_);
  }
  template <class Rep, class Period, class... A>
  Job delay_in(std::chrono::duration<Rep, Period> after, A&&... args) {
    return delay_at(Clock::now() + std::chrono::duration_cast<Clock::duration>(after),
                    std::forward<A>(args)...);
  }

 private:
  Queue queue_;
  std::string func_name_;
  EnqueueOptions defaults_;
};

template <class Signature>
class TypedJobFunction;

// A JobFunction for a plugin function of type R(P...) (as exported with
// RQCPP_JOB): delay() takes exactly the parameters, converted to their
// decayed types before packing, so a wrong count or an inconvertible type is
// a compile error instead of a job failing with TypeError later.
template <class R, class... P>
class TypedJobFunction<R(P...)> {
 public:
  using result_type = R;

  TypedJobFunction(Connection& conn, std::string queue, std::string func_name,
                   EnqueueOptions defaults = {}, Serializer serializer = Serializer::kMsgpack)
      : fn_(conn, std::move(queue), std::move(func_name), std::move(defaults), serializer) {}

  const std::string& func_name() const { return fn_.func_name(); }
  const std::string& queue_name() const { return fn_.queue_name(); }
  const EnqueueOptions& options() const { return fn_.options(); }

  Job delay(std::decay_t<P>... args) { return fn_.delay(std::move(args)...); }
  Job delay_with(const EnqueueOptions& options, std::decay_t<P>... args) {
    return fn_.delay_with(options, std::move(args)...);
  }
  Job delay_at(Clock::time_point when, std::decay_t<P>... args) {
    return fn_.delay_at(when, std::move(args)...);
  }
  template <class Rep, class Period>
  Job delay_in(std::chrono::duration<Rep, Period> after, std::decay_t<P>... args) {
    return fn_.delay_in(after, std::move(args)...);
  }

 private:
  JobFunction fn_;
};

}  // namespace rqcpp
