// RQ's time formats: TS text (%Y-%m-%dT%H:%M:%S.%fZ, naive UTC) for hash
// fields, integer Unix seconds for registry scores.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace rqcpp {

using Clock = std::chrono::system_clock;

// "2026-11-28T20:15:19.972214Z" (always 6 fraction digits).
std::string format_timestamp(Clock::time_point t);
std::string now_timestamp();

// The latest Unix second a Clock::time_point holds (its 64-bit nanoseconds
// end on 2262-04-11): nothing later can be parsed or scheduled.
inline constexpr long long kMaxUnixSeconds =
    std::chrono::duration_cast<std::chrono::seconds>(Clock::duration::max()).count();

// `now` + `seconds` (not negative), or nullopt when that is after
// kMaxUnixSeconds: the one check of a delay given in seconds (rqctl --in).
std::optional<Clock::time_point> time_in(long long seconds, Clock::time_point now = Clock::now());

// Accepts TS with or without fraction (RQ's two read formats). Empty input,
// a time after kMaxUnixSeconds, or anything else gives nullopt.
std::optional<Clock::time_point> parse_timestamp(std::string_view text);

// Unix seconds, truncated (RQ's NOW).
long long unix_seconds(Clock::time_point t);
long long now_seconds();

// "180", "1h", "3m", "5s", "2d" -> seconds. Throws std::invalid_argument
// with a message naming the text when it is not one of those forms.
long long parse_duration(std::string_view text);

}  // namespace rqcpp
