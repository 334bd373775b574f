// See render.hpp.
#include "render.hpp"

#include <iostream>
#include <rqcpp/error.hpp>
#include <rqcpp/serialization.hpp>

namespace rqctl {

namespace {

// Binary values as base64 strings, as core's msgpack_to_json writes them.
void binary_to_base64(Json& j) {
  if (j.is_binary()) {
    const auto& bytes = j.get_binary();
    j = rqcpp::base64_encode(std::string(bytes.begin(), bytes.end()));
  } else if (j.is_structured()) {
    for (Json& item : j) binary_to_base64(item);
  }
}

}  // namespace

Json msgpack_json(std::string_view msgpack) {
  // Straight from msgpack rather than through msgpack_to_json's text, which
  // writes NaN and Infinity as Python's json does and nlohmann-json cannot
  // read back; here they become JSON's null.
  rqcpp::check_nesting(msgpack);  // from_msgpack recurses per level
  Json j;
  try {
    j = Json::from_msgpack(msgpack.begin(), msgpack.end());
  } catch (const Json::exception& e) {
    throw rqcpp::DecodeError(std::string("msgpack value cannot be shown as JSON: ") + e.what());
  }
  binary_to_base64(j);
  return j;
}

Json timestamp_json(const std::optional<rqcpp::Clock::time_point>& t) {
  if (!t) return nullptr;
  return rqcpp::format_timestamp(*t);
}

std::string timestamp_text(const std::optional<rqcpp::Clock::time_point>& t) {
  return t ? rqcpp::format_timestamp(*t) : std::string("-");
}

std::string or_dash(std::string_view text) {
  return text.empty() ? "-" : std::string(text);
}

std::string or_dash(const std::optional<long long>& value) {
  return value ? std::to_string(*value) : std::string("-");
}

void print_json(const Json& json) {
  // Replace rather than throw on invalid UTF-8 in free-text fields (e.g. a
  // description written by some other producer).
  std::cout << json.dump(2, ' ', false, Json::error_handler_t::replace) << '\n';
}

}  // namespace rqctl
