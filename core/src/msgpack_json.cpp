// msgpack <-> JSON for RQ's JSONSerializer. JSON is written as Python's
// json.dumps writes it (", " and ": " separators, \u escapes for non-ASCII,
// Python float reprs), so a JSON job written here is byte-identical to one
// written by Python RQ.
#include <cmath>
#include <nlohmann/json.hpp>

#include "python_format.hpp"
#include "rqcpp/error.hpp"
#include "rqcpp/serialization.hpp"

namespace rqcpp {
namespace {

using Json = nlohmann::ordered_json;  // keeps map order as Python dicts do

void dump_python(const Json& j, std::string& out) {
  switch (j.type()) {
    case Json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, value] : j.items()) {
        if (!first) out += ", ";
        first = false;
        out += Json(key).dump(-1, ' ', true, Json::error_handler_t::replace);
        out += ": ";
        dump_python(value, out);
      }
      out += '}';
      return;
    }
    case Json::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& value : j) {
        if (!first) out += ", ";
        first = false;
        dump_python(value, out);
      }
      out += ']';
      return;
    }
    case Json::value_t::binary: {
      const auto& bin = j.get_binary();
      std::string bytes(bin.begin(), bin.end());
      out += Json(base64_encode(bytes)).dump();
      return;
    }
    case Json::value_t::number_float: {
      double d = j.get<double>();
      // json.dumps writes these non-standard tokens; nothing else reads them
      // back, so they become null here.
      out += std::isfinite(d) ? detail::python_float_repr(d) : "null";
      return;
    }
    default:
      out += j.dump(-1, ' ', true, Json::error_handler_t::replace);
      return;
  }
}

}  // namespace

std::string msgpack_to_json(std::string_view msgpack) {
  Json j;
  try {
    j = Json::from_msgpack(msgpack.begin(), msgpack.end());
  } catch (const std::exception& e) {
    throw DecodeError(std::string("msgpack value cannot be written as JSON: ") + e.what());
  }
  std::string out;
  dump_python(j, out);
  return out;
}

std::string json_to_msgpack(std::string_view json) {
  try {
    std::vector<std::uint8_t> bytes = Json::to_msgpack(Json::parse(json.begin(), json.end()));
    return std::string(bytes.begin(), bytes.end());
  } catch (const std::exception& e) {
    throw DecodeError(std::string("not valid JSON: ") + e.what());
  }
}

}  // namespace rqcpp
