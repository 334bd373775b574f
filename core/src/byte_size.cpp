// Byte sizes with binary units; see byte_size.hpp.
#include "rqcpp/byte_size.hpp"

#include <cctype>
#include <charconv>
#include <limits>
#include <stdexcept>

namespace rqcpp {

namespace {

// The power of 1024 a unit letter stands for; -1 for anything else.
int unit_power(char c) {
  switch (std::toupper(static_cast<unsigned char>(c))) {
    case 'K':
      return 1;
    case 'M':
      return 2;
    case 'G':
      return 3;
    case 'T':
      return 4;
    default:
      return -1;
  }
}

}  // namespace

std::uint64_t parse_byte_size(std::string_view text) {
  auto bad = [&](const char* why) {
    return std::invalid_argument("invalid size '" + std::string(text) + "': " + why +
                                 " (expected bytes, or digits plus a unit K, M, G or T, "
                                 "powers of 1024: 268435456, 256M, 1G, 512KiB)");
  };
  std::string_view number = text;
  // An optional "B" ("5B", "256MB") or "iB" after a unit letter ("256MiB").
  bool binary_suffix = false;
  if (number.size() >= 2 && (number.back() == 'B' || number.back() == 'b')) {
    number.remove_suffix(1);
    if (number.back() == 'i' || number.back() == 'I') {
      number.remove_suffix(1);
      binary_suffix = true;
    }
  }
  int power = 0;
  if (!number.empty() && unit_power(number.back()) > 0) {
    power = unit_power(number.back());
    number.remove_suffix(1);
  } else if (binary_suffix) {
    throw bad("'iB' needs a unit letter before it");
  }
  std::uint64_t value = 0;
  const auto r = std::from_chars(number.data(), number.data() + number.size(), value);
  if (number.empty() || r.ec == std::errc::invalid_argument ||
      r.ptr != number.data() + number.size()) {
    throw bad("not a whole number of bytes");
  }
  if (r.ec == std::errc::result_out_of_range) throw bad("too large");
  for (int i = 0; i < power; ++i) {
    if (value > std::numeric_limits<std::uint64_t>::max() / 1024) throw bad("too large");
    value *= 1024;
  }
  return value;
}

std::string format_byte_size(std::uint64_t bytes) {
  static constexpr const char* kUnits[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  while (unit < 4 && bytes != 0 && bytes % 1024 == 0) {
    bytes /= 1024;
    ++unit;
  }
  return std::to_string(bytes) + " " + kUnits[unit];
}

}  // namespace rqcpp
