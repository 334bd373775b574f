// msgpack <-> JSON for RQ's JSONSerializer. JSON is written as Python's
// json.dumps writes it (", " and ": " separators, \u escapes for non-ASCII,
// Python float reprs, NaN / Infinity / -Infinity), so a JSON job written here
// is byte-identical to one written by Python RQ; and read as json.loads reads
// it, except for integers beyond 64 bits, which msgpack cannot hold: those
// fail with a DecodeError instead of silently becoming floats.
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "python_format.hpp"
#include "rqcpp/defaults.hpp"
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
      if (std::isnan(d)) {
        out += "NaN";  // json.dumps' tokens (allow_nan=True, its default)
      } else if (std::isinf(d)) {
        out += d < 0 ? "-Infinity" : "Infinity";
      } else {
        out += detail::python_float_repr(d);
      }
      return;
    }
    default:
      out += j.dump(-1, ' ', true, Json::error_handler_t::replace);
      return;
  }
}

// Python's json.loads reads the tokens NaN, Infinity and -Infinity, which
// nlohmann-json rejects. Outside strings each is replaced by an empty string
// token, remembered by its ordinal among the document's string tokens;
// NonFiniteSax turns exactly those strings back into floats.
struct NonFiniteTokens {
  std::string text;
  std::vector<std::optional<double>> by_string;  // index: string ordinal
};

NonFiniteTokens replace_non_finite(std::string_view json) {
  static constexpr std::pair<std::string_view, double> kTokens[] = {
      {"NaN", std::numeric_limits<double>::quiet_NaN()},
      {"Infinity", std::numeric_limits<double>::infinity()},
      {"-Infinity", -std::numeric_limits<double>::infinity()}};
  NonFiniteTokens out;
  out.text.reserve(json.size());
  bool in_string = false;
  for (size_t i = 0; i < json.size();) {
    const char c = json[i];
    if (in_string) {
      const size_t n = (c == '\\' && i + 1 < json.size()) ? 2 : 1;  // an escape and its char
      out.text.append(json.substr(i, n));
      if (c == '"') in_string = false;
      i += n;
      continue;
    }
    if (c == '"') {
      in_string = true;
      out.by_string.emplace_back();
      out.text += c;
      ++i;
      continue;
    }
    bool replaced = false;
    for (const auto& [token, value] : kTokens) {
      if (json.substr(i, token.size()) == token) {
        out.by_string.emplace_back(value);
        out.text += "\"\"";
        i += token.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) {
      out.text += c;
      ++i;
    }
  }
  return out;
}

// nlohmann-json's DOM builder, with the non-finite tokens put back and an
// error for integers that do not fit in 64 bits (nlohmann-json would
// silently make them doubles; Python keeps 2**70 exact).
class NonFiniteSax {
 public:
  NonFiniteSax(Json& root, const std::vector<std::optional<double>>& by_string)
      : dom_(root), by_string_(by_string) {}

  bool null() { return dom_.null(); }
  bool boolean(bool v) { return dom_.boolean(v); }
  bool number_integer(Json::number_integer_t v) { return dom_.number_integer(v); }
  bool number_unsigned(Json::number_unsigned_t v) { return dom_.number_unsigned(v); }
  bool number_float(Json::number_float_t v, const Json::string_t& text) {
    if (text.find_first_of(".eE") == Json::string_t::npos) {
      throw DecodeError("integer " + text +
                        " does not fit in 64 bits (msgpack, and so rqcpp, has no larger "
                        "integers)");
    }
    return dom_.number_float(v, text);
  }
  bool string(Json::string_t& v) {
    const std::optional<double>& special = by_string_.at(next_string_++);
    return special ? dom_.number_float(*special, v) : dom_.string(v);
  }
  bool binary(Json::binary_t& v) { return dom_.binary(v); }
  bool start_object(std::size_t n) { return enter() && dom_.start_object(n); }
  bool key(Json::string_t& v) {
    if (by_string_.at(next_string_++)) throw DecodeError("NaN or Infinity used as an object key");
    return dom_.key(v);
  }
  bool end_object() { return leave() && dom_.end_object(); }
  bool start_array(std::size_t n) { return enter() && dom_.start_array(n); }
  bool end_array() { return leave() && dom_.end_array(); }
  template <class Exception>
  bool parse_error(std::size_t position, const std::string& token, const Exception& e) {
    return dom_.parse_error(position, token, e);
  }

 private:
  // The parse itself keeps its own stack, but to_msgpack and the DOM's
  // users recurse per level: deeper input is refused here.
  bool enter() {
    if (++depth_ > defaults::kMaxNestingDepth) {
      throw DecodeError("JSON nested deeper than " + std::to_string(defaults::kMaxNestingDepth) +
                        " arrays and objects");
    }
    return true;
  }
  bool leave() {
    --depth_;
    return true;
  }
  int depth_ = 0;
  nlohmann::detail::json_sax_dom_parser<Json> dom_;
  const std::vector<std::optional<double>>& by_string_;
  size_t next_string_ = 0;
};

}  // namespace

std::string msgpack_to_json(std::string_view msgpack) {
  check_nesting(msgpack);  // from_msgpack and dump_python recurse per level
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
    NonFiniteTokens prepared = replace_non_finite(json);
    Json root;
    NonFiniteSax sax(root, prepared.by_string);
    Json::sax_parse(prepared.text, &sax);
    std::vector<std::uint8_t> bytes = Json::to_msgpack(root);
    return std::string(bytes.begin(), bytes.end());
  } catch (const DecodeError&) {
    throw;
  } catch (const std::exception& e) {
    throw DecodeError(std::string("not valid JSON: ") + e.what());
  }
}

}  // namespace rqcpp
