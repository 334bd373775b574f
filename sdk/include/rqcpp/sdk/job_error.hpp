// The exception a job function throws to fail its job with a chosen type name.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

namespace rqcpp {

// Thrown by a job function (or by the SDK on bad arguments) to fail the job
// with `type` as the exception type RQ shows (e.g. "ValueError",
// "TypeError", "KeyError") and what() as its message. Any other exception
// escaping a job function also fails the job, typed by its demangled C++
// class name (e.g. "std::runtime_error").
class JobError : public std::runtime_error {
 public:
  // `type` should be a short identifier-like name; an empty one is reported
  // as "RuntimeError".
  JobError(std::string type, const std::string& message)
      : std::runtime_error(message), type_(type.empty() ? "RuntimeError" : std::move(type)) {}

  // The exception type name the job fails with.
  const std::string& type() const noexcept { return type_; }

 private:
  std::string type_;
};

}  // namespace rqcpp
