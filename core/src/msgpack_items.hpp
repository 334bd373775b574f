// Internal: walking msgpack bytes without re-encoding them, so values pass
// through rqcpp byte for byte (what a Python peer packed stays as packed).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rqcpp::detail {

// Throws DecodeError ("<what>: ...") unless `data` is exactly one msgpack value.
void check_single_value(std::string_view data, const char* what);

// The raw bytes of each element of a msgpack array. Throws DecodeError when
// `data` is not exactly one array.
std::vector<std::string_view> array_items(std::string_view data, const char* what);

// Key text and raw value bytes of each entry of a msgpack map whose keys are
// all str (as Python's unpackb with strict_map_key needs). Throws DecodeError
// otherwise.
std::vector<std::pair<std::string, std::string_view>> map_items(std::string_view data,
                                                                const char* what);

// Minimal-size msgpack headers, as Python's msgpack writes them.
void append_array_header(std::string& out, size_t n);
void append_map_header(std::string& out, size_t n);
void append_str(std::string& out, std::string_view s);

}  // namespace rqcpp::detail
