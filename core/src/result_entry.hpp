// Internal: decoding one entry of rq:results:<id> (docs/redis-layout.md 1.4),
// shared by the result readers (job.cpp) and Job::wait (job_wait.cpp).
#pragma once

#include <string>

#include "rqcpp/connection.hpp"
#include "rqcpp/job.hpp"

namespace rqcpp::detail {

// One XRANGE/XREVRANGE/XREAD element: [id, [field, value, ...]]. Values are
// converted from `serializer` to msgpack. Throws DecodeError (naming job_id
// and the entry) for an unknown type or undecodable payload.
JobResult parse_result_entry(const Reply& entry, Serializer serializer, const std::string& job_id);

}  // namespace rqcpp::detail
