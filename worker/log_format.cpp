// rqworker's log line formats.
#include "log_format.hpp"

#include <spdlog/pattern_formatter.h>

#include <memory>
#include <nlohmann/json.hpp>

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

}  // namespace

bool set_log_format(spdlog::logger& logger, const std::string& format) {
  if (format == "text") {
    logger.set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %v");
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
