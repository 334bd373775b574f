// Sizes given on a command line or in a config file: "65536", "512K",
// "64M", "1G" (binary units: K = 1024 bytes). The one parser of such
// values, so every size option reads the same way.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rqcpp {

// Bytes in `text`: a decimal integer, optionally followed by one of
// K, M, G, T (case-insensitive, an optional trailing "B" or "iB" allowed:
// "64MiB", "64mb"). nullopt for anything else: empty, negative, fractional,
// an unknown unit, or a value that does not fit in 64 bits.
std::optional<std::uint64_t> parse_byte_size(std::string_view text);

// `bytes` as the shortest exact text parse_byte_size reads back ("64M",
// "1536K", "100"), for --help texts and messages.
std::string format_byte_size(std::uint64_t bytes);

}  // namespace rqcpp
