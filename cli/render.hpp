// How rqctl shows values: msgpack payloads as JSON, timestamps as RQ's TS text,
// absent values as "-" in text and null in JSON.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <rqcpp/timestamp.hpp>
#include <string>
#include <string_view>

namespace rqctl {

// Output objects keep the order fields are added in (id, status, ... first).
using Json = nlohmann::ordered_json;

// A msgpack value as JSON: binary as base64 text (as core's msgpack_to_json),
// NaN and +-Infinity as null (JSON has no such numbers). Throws
// rqcpp::DecodeError on malformed bytes.
Json msgpack_json(std::string_view msgpack);

// TS text ("2026-11-28T20:15:19.972214Z") or null / "-" when absent.
Json timestamp_json(const std::optional<rqcpp::Clock::time_point>& t);
std::string timestamp_text(const std::optional<rqcpp::Clock::time_point>& t);

// Text or "-" when empty / absent.
std::string or_dash(std::string_view text);
std::string or_dash(const std::optional<long long>& value);

// Prints `json` to stdout, pretty (indent 2) and newline-terminated.
void print_json(const Json& json);

}  // namespace rqctl
