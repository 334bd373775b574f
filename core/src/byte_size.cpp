// Byte sizes with binary units; see byte_size.hpp.
#include "rqcpp/byte_size.hpp"

#include <cctype>
#include <charconv>

namespace rqcpp {

namespace {

constexpr std::string_view kUnits = "KMGT";

}  // namespace

std::optional<std::uint64_t> parse_byte_size(std::string_view text) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || p == text.data()) return std::nullopt;
  std::string_view rest(p, static_cast<size_t>(end - p));
  if (rest.empty()) return value;
  const auto unit =
      kUnits.find(static_cast<char>(std::toupper(static_cast<unsigned char>(rest[0]))));
  if (unit == std::string_view::npos) return std::nullopt;
  rest.remove_prefix(1);
  auto lower = [](std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  if (const std::string suffix = lower(rest); !suffix.empty() && suffix != "b" && suffix != "ib") {
    return std::nullopt;
  }
  const unsigned shift = 10 * (static_cast<unsigned>(unit) + 1);
  if (value > (UINT64_MAX >> shift)) return std::nullopt;
  return value << shift;
}

std::string format_byte_size(std::uint64_t bytes) {
  size_t unit = 0;
  while (unit < kUnits.size() && bytes != 0 && bytes % 1024 == 0) {
    bytes /= 1024;
    ++unit;
  }
  std::string out = std::to_string(bytes);
  if (unit > 0) out += kUnits[unit - 1];
  return out;
}

}  // namespace rqcpp
