// rqctl's argument literals; see argument_literal.hpp.
#include "argument_literal.hpp"

#include <nlohmann/json.hpp>
#include <rqcpp/error.hpp>
#include <rqcpp/serialization.hpp>

#include "cli_error.hpp"

namespace rqctl {

std::string argument_to_msgpack(std::string_view text) {
  std::string json_text;
  if (nlohmann::json::accept(text)) {
    json_text = std::string(text);
  } else {
    try {
      json_text = nlohmann::json(std::string(text)).dump();
    } catch (const nlohmann::json::exception&) {
      throw UsageError("argument is not valid UTF-8: " + std::string(text));
    }
  }
  try {
    return rqcpp::json_to_msgpack(json_text);
  } catch (const rqcpp::DecodeError& e) {
    throw UsageError("cannot encode argument " + std::string(text) + ": " + e.what());
  }
}

std::string json_object_to_msgpack(std::string_view text, std::string_view option) {
  nlohmann::json value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!value.is_object()) {
    throw UsageError(std::string(option) + " must be a JSON object, got: " + std::string(text));
  }
  try {
    return rqcpp::json_to_msgpack(text);
  } catch (const rqcpp::DecodeError& e) {
    throw UsageError(std::string(option) + ": " + e.what());
  }
}

}  // namespace rqctl
