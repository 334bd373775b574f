// The typed convenience enqueues shared by Queue and SyncQueue:
// q.enqueue("lib:add", 1, 2) and q.enqueue_with(options, "lib:add", 1, 2),
// each one call of the class's own enqueue_call(func_name, Args, options).
#pragma once

#include <string_view>
#include <utility>

#include "rqcpp/args.hpp"
#include "rqcpp/job.hpp"

namespace rqcpp {

struct EnqueueOptions;

// CRTP base: `Derived` provides
//   Job enqueue_call(std::string_view, const Args&, const EnqueueOptions& = {});
// Its arguments are packed with Args::of (args.hpp), so the same types are
// accepted everywhere.
template <class Derived>
class TypedEnqueue {
 public:
  template <class... A>
  Job enqueue(std::string_view func_name, A&&... args) {
    return self().enqueue_call(func_name, Args::of(std::forward<A>(args)...));
  }
  template <class... A>
  Job enqueue_with(const EnqueueOptions& options, std::string_view func_name, A&&... args) {
    return self().enqueue_call(func_name, Args::of(std::forward<A>(args)...), options);
  }

 private:
  Derived& self() { return static_cast<Derived&>(*this); }
};

}  // namespace rqcpp
