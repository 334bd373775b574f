// The frames on a horse's pipes (same binary on both ends, so no
// versioning; lengths are native u64). Outcome (child -> parent): u64 body
// length, then u8 ok, u8 has_result, u8 has_meta and five length-prefixed
// strings (result, exc_type, exc_message, traceback, meta). Job (parent ->
// standby child, which reads to end of file): the PluginCall's strings, its
// serializer and its function pointer (valid in the child, forked from the
// parent that resolved it).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "worker/work_horse.hpp"

namespace rqcpp::horse_frame {

std::string encode(const CallOutcome& outcome);

// nullopt while `buffer` does not yet hold a whole frame; throws DecodeError
// when it holds something that is not a frame.
std::optional<CallOutcome> decode(std::string_view buffer);

std::string encode_job(const PluginCall& job);

// Throws DecodeError on a truncated or malformed job.
PluginCall decode_job(std::string_view bytes);

}  // namespace rqcpp::horse_frame
