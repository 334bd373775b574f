// Internal: decoding one entry of rq:results:<id> (docs/redis-layout.md 1.4),
// shared by the result readers (job.cpp) and Job::wait (job_wait.cpp).
#pragma once

#include <string>
#include <string_view>

#include "rqcpp/connection.hpp"
#include "rqcpp/job.hpp"

namespace rqcpp::detail {

// One XRANGE/XREVRANGE/XREAD element: [id, [field, value, ...]]. Values are
// converted from `serializer` to msgpack. Throws DecodeError (naming job_id
// and the entry) for an unknown type or undecodable payload.
// An oversized exc_string becomes exc_text's placeholder, not an error.
JobResult parse_result_entry(const Reply& entry, Serializer serializer, const std::string& job_id);

// The text of a job hash's exc_info (zlib), inflated up to
// defaults::kMaxResultSize; a larger one is a placeholder naming the limit,
// and bytes that are not zlib are returned as they are (RQ falls back to the
// raw bytes too).
std::string exc_text(std::string_view zlib_bytes);

}  // namespace rqcpp::detail
