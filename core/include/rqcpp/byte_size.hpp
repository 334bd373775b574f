// Sizes in bytes as people write them: "268435456", "256M", "1G", "512KiB".
// The one parser of size options and fields (rqworker --job-memory-limit,
// rqctl enqueue --memory-limit, a job's meta rqcpp_limits.memory).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace rqcpp {

// "4096" (or "4096B") -> 4096, "256M" -> 268435456, "1G", "2T", "512K"; the unit letter is
// case-insensitive and may be followed by "B" or "iB" ("256MiB", "256MB"):
// every unit is a power of 1024. Throws std::invalid_argument naming the
// text when it is not a non-negative integer with an optional unit, or when
// the size does not fit in 64 bits.
std::uint64_t parse_byte_size(std::string_view text);

// "256 MiB", "1 GiB", "1536 KiB", "100 bytes": the largest unit that divides
// `bytes` exactly, for messages.
std::string format_byte_size(std::uint64_t bytes);

}  // namespace rqcpp
