// The framing of a horse's outcome on its pipe (child -> parent, same
// binary, so no versioning): u64 body length, then the body: u8 ok,
// u8 has_result, u8 has_meta and five length-prefixed strings (result,
// exc_type, exc_message, traceback, meta). Lengths are native u64.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "rqcpp/worker/work_horse.hpp"

namespace rqcpp::horse_frame {

std::string encode(const HorseOutcome& outcome);

// nullopt while `buffer` does not yet hold a whole frame; throws DecodeError
// when it holds something that is not a frame.
std::optional<HorseOutcome> decode(std::string_view buffer);

}  // namespace rqcpp::horse_frame
