// See render.hpp.
#include "render.hpp"

#include <iostream>

#include <rqcpp/serialization.hpp>

namespace rqctl {

Json msgpack_json(std::string_view msgpack) {
  return Json::parse(rqcpp::msgpack_to_json(msgpack));
}

Json timestamp_json(const std::optional<rqcpp::Clock::time_point>& t) {
  if (!t) return nullptr;
  return rqcpp::format_timestamp(*t);
}

std::string timestamp_text(const std::optional<rqcpp::Clock::time_point>& t) {
  return t ? rqcpp::format_timestamp(*t) : std::string("-");
}

std::string or_dash(std::string_view text) { return text.empty() ? "-" : std::string(text); }

std::string or_dash(const std::optional<long long>& value) {
  return value ? std::to_string(*value) : std::string("-");
}

void print_json(const Json& json) {
  // Replace rather than throw on invalid UTF-8 in free-text fields (e.g. a
  // description written by some other producer).
  std::cout << json.dump(2, ' ', false, Json::error_handler_t::replace) << '\n';
}

}  // namespace rqctl
