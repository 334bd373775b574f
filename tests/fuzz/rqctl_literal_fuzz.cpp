// Input: one command-line word given to rqctl enqueue: an ARG or a --kwarg
// value (argument_to_msgpack), a --meta object (json_object_to_msgpack), a
// duration (--timeout, --ttl, --in, --retry: parse_duration), a size
// (--memory-limit, rqworker --max-*-size: parse_byte_size) and a time (--at:
// parse_timestamp). Every input goes through all five.
// Asserts: errors are UsageError (literals), std::invalid_argument
// (durations, sizes) or none (times); a literal is exactly one msgpack value
// that converts to JSON and back to the same bytes, and text that is not JSON
// is the string itself; --meta gives a map; a duration, a size and a time
// written back (std::to_string, format_timestamp) parse to the same value.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <rqcpp/byte_size.hpp>
#include <rqcpp/error.hpp>
#include <rqcpp/serialization.hpp>
#include <rqcpp/timestamp.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

#include "argument_literal.hpp"
#include "cli_error.hpp"
#include "fuzz_check.hpp"
#include "msgpack_items.hpp"

namespace {

void literal(std::string_view text) {
  std::string packed;
  try {
    packed = rqctl::argument_to_msgpack(text);
  } catch (const rqctl::UsageError&) {
    return;
  } catch (...) {
    FUZZ_UNEXPECTED_EXCEPTION();
  }
  try {
    rqcpp::detail::check_single_value(packed, "argument");
    std::string json = rqcpp::msgpack_to_json(packed);
    FUZZ_CHECK(rqcpp::json_to_msgpack(json) == packed);
    if (!nlohmann::json::accept(text)) {
      FUZZ_CHECK(nlohmann::json::parse(json).get<std::string>() == text);
    }
  } catch (const rqcpp::DecodeError& e) {
    std::fprintf(stderr, "an accepted literal does not convert back: %s\n", e.what());
    FUZZ_CHECK(!"literal round trip");
  }
}

void meta(std::string_view text) {
  std::string packed;
  try {
    packed = rqctl::json_object_to_msgpack(text, "--meta");
  } catch (const rqctl::UsageError&) {
    return;
  } catch (...) {
    FUZZ_UNEXPECTED_EXCEPTION();
  }
  auto first = static_cast<unsigned char>(packed.at(0));
  FUZZ_CHECK((first & 0xf0) == 0x80 || first == 0xde || first == 0xdf);
}

void duration(std::string_view text) {
  long long seconds = 0;
  try {
    seconds = rqcpp::parse_duration(text);
  } catch (const std::invalid_argument&) {
    return;
  } catch (...) {
    FUZZ_UNEXPECTED_EXCEPTION();
  }
  FUZZ_CHECK(rqcpp::parse_duration(std::to_string(seconds)) == seconds);
}

// rqworker --max-*-size and --job-memory-limit, rqctl --memory-limit.
void byte_size(std::string_view text) {
  std::uint64_t bytes = 0;
  try {
    bytes = rqcpp::parse_byte_size(text);
  } catch (const std::invalid_argument&) {
    return;
  } catch (...) {
    FUZZ_UNEXPECTED_EXCEPTION();
  }
  FUZZ_CHECK(rqcpp::parse_byte_size(std::to_string(bytes)) == bytes);
}

void time(std::string_view text) {
  std::optional<rqcpp::Clock::time_point> t;
  try {
    t = rqcpp::parse_timestamp(text);
  } catch (...) {
    FUZZ_UNEXPECTED_EXCEPTION();
  }
  if (t) FUZZ_CHECK(rqcpp::parse_timestamp(rqcpp::format_timestamp(*t)) == t);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  literal(text);
  meta(text);
  duration(text);
  byte_size(text);
  time(text);
  return 0;
}
