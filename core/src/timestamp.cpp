// RQ's TS text, NOW seconds and timeout strings.
#include "rqcpp/timestamp.hpp"

#include <charconv>
#include <cstdio>
#include <ctime>
#include <limits>
#include <stdexcept>

namespace rqcpp {
namespace {

// Fixed-width decimal at s[pos, pos+n); -1 when not all digits.
int digits(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size()) return -1;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

}  // namespace

std::string format_timestamp(Clock::time_point t) {
  using namespace std::chrono;
  auto us = duration_cast<microseconds>(t.time_since_epoch()).count();
  long long secs = us / 1000000;
  long long frac = us % 1000000;
  if (frac < 0) {  // before 1970: floor, not truncate
    frac += 1000000;
    --secs;
  }
  auto tt = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  int year = tm.tm_year + 1900;
  if (year < 0 || year > 9999) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", year, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
    return buf;
  }
  // Digit by digit: snprintf was most of the cost of one enqueue's stamp.
  std::string out = "0000-00-00T00:00:00.000000Z";
  auto put = [&out](size_t end, long long value, int width) {
    for (int i = 1; i <= width; ++i, value /= 10)
      out[end - i] = static_cast<char>('0' + value % 10);
  };
  put(4, year, 4);
  put(7, tm.tm_mon + 1, 2);
  put(10, tm.tm_mday, 2);
  put(13, tm.tm_hour, 2);
  put(16, tm.tm_min, 2);
  put(19, tm.tm_sec, 2);
  put(26, frac, 6);
  return out;
}

std::string now_timestamp() {
  return format_timestamp(Clock::now());
}

std::optional<Clock::time_point> parse_timestamp(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS then "Z" or ".ffffffZ" (Python's %f takes 1 to 6 digits).
  if (s.size() < 20) return std::nullopt;
  int year = digits(s, 0, 4), mon = digits(s, 5, 2), day = digits(s, 8, 2);
  int hour = digits(s, 11, 2), min = digits(s, 14, 2), sec = digits(s, 17, 2);
  if (year < 0 || mon < 1 || mon > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || min < 0 ||
      min > 59 || sec < 0 || sec > 61 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
      s[13] != ':' || s[16] != ':') {
    return std::nullopt;
  }
  long long micros = 0;
  std::string_view rest = s.substr(19);
  if (rest.front() == '.') {
    size_t n = 0;
    while (n + 1 < rest.size() && rest[n + 1] >= '0' && rest[n + 1] <= '9') ++n;
    if (n < 1 || n > 6) return std::nullopt;
    micros = digits(rest, 1, n);
    for (size_t i = n; i < 6; ++i) micros *= 10;
    rest = rest.substr(n + 1);
  }
  if (rest != "Z") return std::nullopt;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = mon - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = min;
  tm.tm_sec = sec;
  std::time_t secs = timegm(&tm);
  if (tm.tm_mday != day) return std::nullopt;  // e.g. Feb 30 normalized away
  if (secs >= kMaxUnixSeconds || secs <= -kMaxUnixSeconds) return std::nullopt;
  return Clock::time_point(std::chrono::duration_cast<Clock::duration>(
      std::chrono::seconds(secs) + std::chrono::microseconds(micros)));
}

std::optional<Clock::time_point> time_in(long long seconds, Clock::time_point now) {
  if (seconds < 0 || seconds >= kMaxUnixSeconds - unix_seconds(now)) return std::nullopt;
  return now + std::chrono::seconds(seconds);
}

long long unix_seconds(Clock::time_point t) {
  return std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count();
}

long long now_seconds() {
  return unix_seconds(Clock::now());
}

long long parse_duration(std::string_view text) {
  auto bad = [&]() {
    return std::invalid_argument("invalid duration '" + std::string(text) +
                                 "': expected an integer number of seconds or digits plus "
                                 "a unit d, h, m or s (e.g. 180, 1h, 3m, 5s, 2d)");
  };
  std::string_view number = text;
  long long unit = 1;
  if (!text.empty()) {
    switch (text.back()) {
      case 'd':
      case 'D':
        unit = 86400;
        break;
      case 'h':
      case 'H':
        unit = 3600;
        break;
      case 'm':
      case 'M':
        unit = 60;
        break;
      case 's':
      case 'S':
        unit = 1;
        break;
      default:
        unit = 0;
        break;
    }
    if (unit != 0)
      number.remove_suffix(1);
    else
      unit = 1;
  }
  if (!number.empty() && number.front() == '+') number.remove_prefix(1);
  long long value = 0;
  auto r = std::from_chars(number.data(), number.data() + number.size(), value);
  if (number.empty() || r.ec != std::errc() || r.ptr != number.data() + number.size()) throw bad();
  if (value > std::numeric_limits<long long>::max() / unit ||
      value < std::numeric_limits<long long>::min() / unit) {
    throw bad();
  }
  return value * unit;
}

}  // namespace rqcpp
