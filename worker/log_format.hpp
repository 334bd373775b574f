// rqworker's log line formats: RQ-like text, or one JSON object per line
// for log collectors (--log-format json).
#pragma once

#include <spdlog/logger.h>

#include <string>

namespace rqworker {

// Sets `logger`'s format: "text" (timestamp, level, message, its control
// characters escaped as \n, \xNN...) or "json" ({"time": ..., "level": ...,
// "pid": ..., "message": ...} per line, the message JSON-escaped): either
// way one message is one line, whatever a producer put into it. Returns false, changing nothing,
// for another name.
bool set_log_format(spdlog::logger& logger, const std::string& format);

}  // namespace rqworker
