// rqworker's log line formats.
#include "log_format.hpp"

#include <spdlog/pattern_formatter.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string_view>

namespace rqworker {
namespace {

// %* : the message as a JSON string literal (quotes, escapes; invalid UTF-8
// replaced), so any message keeps the line valid JSON.
class JsonMessageFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    std::string text(msg.payload.data(), msg.payload.size());
    std::string quoted =
        nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    dest.append(quoted.data(), quoted.data() + quoted.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonMessageFlag>();
  }
};

// %* in text: the message with control characters escaped (\n, \r, \t,
// \x1b...), so a job id or function name a producer wrote can neither
// forge a log line nor drive a terminal.
class TextMessageFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    for (char c : std::string_view(msg.payload.data(), msg.payload.size())) {
      const auto u = static_cast<unsigned char>(c);
      if (u >= 0x20 && u != 0x7f) {
        dest.push_back(c);
      } else if (c == '\n') {
        dest.append(std::string_view("\\n"));
      } else if (c == '\r') {
        dest.append(std::string_view("\\r"));
      } else if (c == '\t') {
        dest.append(std::string_view("\\t"));
      } else {
        constexpr char kHex[] = "0123456789abcdef";
        const char esc[] = {'\\', 'x', kHex[u >> 4], kHex[u & 15]};
        dest.append(esc, esc + 4);
      }
    }
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<TextMessageFlag>();
  }
};

}  // namespace

bool set_log_format(spdlog::logger& logger, const std::string& format) {
  if (format == "text") {
    auto f = std::make_unique<spdlog::pattern_formatter>();
    f->add_flag<TextMessageFlag>('*').set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %*");
    logger.set_formatter(std::move(f));
    return true;
  }
  if (format == "json") {
    auto f = std::make_unique<spdlog::pattern_formatter>();
    f->add_flag<JsonMessageFlag>('*').set_pattern(
        "{\"time\": \"%Y-%m-%dT%H:%M:%S.%e%z\", \"level\": \"%l\", \"logger\": \"%n\", "
        "\"pid\": %P, \"message\": %*}");
    logger.set_formatter(std::move(f));
    return true;
  }
  return false;
}

}  // namespace rqworker
