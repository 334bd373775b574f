// The argument convention of job callbacks (on_success / on_failure /
// on_stopped, documented in sdk.hpp and the README): the callback function
// is called with positional arguments only, as a msgpack array.
#pragma once

#include <string>

namespace rqcpp {

// [job_id, result]: `result_msgpack` is the job's return value as msgpack
// bytes (nil for None), embedded as is.
std::string success_callback_args(const std::string& job_id, const std::string& result_msgpack);
// [job_id, exc_type, exc_message]: exc_type is "" when the job did not raise
// (its horse died or timed out: the message says how).
std::string failure_callback_args(const std::string& job_id, const std::string& exc_type,
                                  const std::string& exc_message);
// [job_id]
std::string stopped_callback_args(const std::string& job_id);

}  // namespace rqcpp
