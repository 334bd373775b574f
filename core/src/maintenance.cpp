// clean_registries / clean_worker_registry; see maintenance.hpp.
#include "rqcpp/maintenance.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <stdexcept>

#include "rqcpp/connection.hpp"
#include "rqcpp/defaults.hpp"
#include "rqcpp/error.hpp"
#include "rqcpp/keys.hpp"
#include "rqcpp/serialization.hpp"
#include "rqcpp/timestamp.hpp"
#include "rqcpp_scripts.hpp"
#include "script_call.hpp"

namespace rqcpp {
namespace {

// str(datetime.now()) as RQ puts it into the text: local time,
// "2026-01-01 12:00:00.123456" (no fraction when it is zero).
std::string python_local_now() {
  using namespace std::chrono;
  auto us = duration_cast<microseconds>(Clock::now().time_since_epoch()).count();
  auto secs = static_cast<std::time_t>(us / 1000000);
  long long frac = us % 1000000;
  std::tm tm{};
  localtime_r(&secs, &tm);
  char buf[96];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900,
                        tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  if (frac != 0 && n > 0) std::snprintf(buf + n, sizeof buf - n, ".%06lld", frac);
  return buf;
}

}  // namespace

CleanReport clean_registries(Connection& conn, std::string_view queue, CleanLock lock,
                             std::chrono::seconds lock_ttl) {
  if (lock_ttl < std::chrono::seconds(1)) {
    throw std::invalid_argument("clean_registries: the lock TTL must be at least 1 second");
  }
  const std::string text = "Moved to FailedJobRegistry at " + python_local_now();
  Reply r = detail::ScriptCall()
                .flag("lock", lock == CleanLock::kAcquire)
                .str("queue", queue)
                .integer("now", now_seconds())
                .str("ts", now_timestamp())
                .str("exc_info", zlib_compress(text))
                .str("text", text)
                .integer("lock_ttl", lock_ttl.count())
                .integer("failure_ttl", defaults::kFailureTtl.count())
                .run(conn, scripts::clean_registries());
  CleanReport report;
  if (r.size() >= 1 && r.at(0).str() == "locked") return report;
  if (r.size() != 5 || r.at(0).str() != "done") {
    throw RedisError("script clean_registries returned an unexpected reply");
  }
  report.ran = true;
  report.finished_removed = r.at(1).integer();
  report.failed_removed = r.at(2).integer();
  report.failed = r.at(3).strings();
  report.retried = r.at(4).strings();
  return report;
}

long long clean_worker_registry(Connection& conn, std::string_view queue) {
  return detail::ScriptCall()
      .str("queue", queue)
      .run(conn, scripts::clean_worker_registry())
      .integer();
}

}  // namespace rqcpp
