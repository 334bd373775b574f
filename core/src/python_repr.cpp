// Python repr() of msgpack values and RQ's default job description
// (docs/redis-layout.md 2.2: "func(1, 'x', k=2)", each repr cut at 75 chars).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <msgpack.hpp>
#include <system_error>

#include "msgpack_items.hpp"
#include "python_format.hpp"
#include "rqcpp/error.hpp"
#include "rqcpp/serialization.hpp"

namespace rqcpp {
namespace detail {

std::string python_float_repr(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d < 0 ? "-inf" : "inf";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string sci(buf, r.ptr);  // "-2.5e+00", shortest round trip
  std::string sign;
  if (sci[0] == '-') {
    sign = "-";
    sci.erase(0, 1);
  }
  auto e = sci.find('e');
  int exp = std::stoi(sci.substr(e + 1));
  std::string digits = sci.substr(0, e);
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  if (exp >= -5 + 1 && exp < 16) {
    std::string out;
    if (exp >= 0) {
      if (digits.size() <= static_cast<size_t>(exp) + 1)
        digits.append(exp + 1 - digits.size(), '0');
      out = digits.substr(0, exp + 1) + ".";
      std::string frac = digits.substr(exp + 1);
      out += frac.empty() ? "0" : frac;
    } else {
      out = "0." + std::string(-exp - 1, '0') + digits;
    }
    return sign + out;
  }
  std::string mant = digits.substr(0, 1);
  if (digits.size() > 1) mant += "." + digits.substr(1);
  char ebuf[16];
  std::snprintf(ebuf, sizeof ebuf, "e%c%02d", exp < 0 ? '-' : '+', std::abs(exp));
  return sign + mant + ebuf;
}

}  // namespace detail

namespace {

// Decodes one UTF-8 sequence at s[i]; returns the code point and advances i,
// or -1 (advancing one byte) for invalid input.
long next_code_point(std::string_view s, size_t& i) {
  auto b = static_cast<unsigned char>(s[i]);
  int len = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
  if (len == 0 || i + len > s.size()) {
    ++i;
    return -1;
  }
  long cp = len == 1 ? b : b & (0x7f >> len);
  for (int k = 1; k < len; ++k) {
    auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xc0) != 0x80) {
      ++i;
      return -1;
    }
    cp = (cp << 6) | (c & 0x3f);
  }
  i += len;
  return cp;
}

// Python's str.isprintable(), approximated for the common non-printables.
bool printable(long cp) {
  if (cp < 0x20 || cp == 0x7f) return false;
  if (cp >= 0x80 && cp <= 0xa0) return false;
  if (cp == 0xad || cp == 0x1680 || cp == 0x3000 || cp == 0xfeff || cp == 0x202f || cp == 0x205f)
    return false;
  if ((cp >= 0x2000 && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e) ||
      (cp >= 0x2060 && cp <= 0x2064) || (cp >= 0xd800 && cp <= 0xdfff) ||
      (cp >= 0xe000 && cp <= 0xf8ff)) {
    return false;
  }
  return true;
}

void hex_escape(std::string& out, const char* prefix, long v, int width) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s%0*lx", prefix, width, v);
  out += buf;
}

// The quote Python's str and bytes reprs pick: ' unless the text holds a '
// and no ".
char repr_quote(std::string_view s) {
  bool has_single = s.find('\'') != std::string_view::npos;
  bool has_double = s.find('"') != std::string_view::npos;
  return has_single && !has_double ? '"' : '\'';
}

// The escapes str and bytes reprs share (the quote, backslash, \n, \r,
// \t): appends the one `c` needs and returns true, or returns false.
bool append_common_escape(std::string& out, long c, char quote) {
  if (c == quote || c == '\\') {
    out += '\\';
    out += static_cast<char>(c);
  } else if (c == '\n') {
    out += "\\n";
  } else if (c == '\r') {
    out += "\\r";
  } else if (c == '\t') {
    out += "\\t";
  } else {
    return false;
  }
  return true;
}

std::string repr_str(std::string_view s) {
  const char quote = repr_quote(s);
  std::string out(1, quote);
  for (size_t i = 0; i < s.size();) {
    size_t start = i;
    long cp = next_code_point(s, i);
    if (cp < 0) {
      hex_escape(out, "\\x", static_cast<unsigned char>(s[start]), 2);
    } else if (append_common_escape(out, cp, quote)) {
      // done
    } else if (printable(cp)) {
      out.append(s.substr(start, i - start));
    } else if (cp <= 0xff) {
      hex_escape(out, "\\x", cp, 2);
    } else if (cp <= 0xffff) {
      hex_escape(out, "\\u", cp, 4);
    } else {
      hex_escape(out, "\\U", cp, 8);
    }
  }
  out += quote;
  return out;
}

std::string repr_bytes(std::string_view s) {
  const char quote = repr_quote(s);
  std::string out = "b";
  out += quote;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (append_common_escape(out, c, quote)) {
      // done
    } else if (c < 0x20 || c >= 0x7f) {
      hex_escape(out, "\\x", c, 2);
    } else {
      out += ch;
    }
  }
  out += quote;
  return out;
}

std::string repr(const msgpack::object& o) {
  switch (o.type) {
    case msgpack::type::NIL:
      return "None";
    case msgpack::type::BOOLEAN:
      return o.via.boolean ? "True" : "False";
    case msgpack::type::POSITIVE_INTEGER:
      return std::to_string(o.via.u64);
    case msgpack::type::NEGATIVE_INTEGER:
      return std::to_string(o.via.i64);
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64:
      return detail::python_float_repr(o.via.f64);
    case msgpack::type::STR:
      return repr_str({o.via.str.ptr, o.via.str.size});
    case msgpack::type::BIN:
      return repr_bytes({o.via.bin.ptr, o.via.bin.size});
    case msgpack::type::ARRAY: {
      std::string out = "[";
      for (uint32_t i = 0; i < o.via.array.size; ++i) {
        if (i) out += ", ";
        out += repr(o.via.array.ptr[i]);
      }
      return out + "]";
    }
    case msgpack::type::MAP: {
      std::string out = "{";
      for (uint32_t i = 0; i < o.via.map.size; ++i) {
        if (i) out += ", ";
        out += repr(o.via.map.ptr[i].key) + ": " + repr(o.via.map.ptr[i].val);
      }
      return out + "}";
    }
    case msgpack::type::EXT:
      return "ExtType(code=" + std::to_string(o.via.ext.type()) +
             ", data=" + repr_bytes({o.via.ext.data(), o.via.ext.size}) + ")";
  }
  return "?";
}

// RQ's truncate_long_string(repr, 75): counts code points, as Python does.
std::string truncate(std::string s, size_t max_chars = 75) {
  size_t chars = 0;
  for (size_t i = 0; i < s.size();) {
    if (chars == max_chars) return s.substr(0, i) + "...";
    next_code_point(s, i);
    ++chars;
  }
  return s;
}

}  // namespace

std::string python_repr(std::string_view msgpack) {
  detail::check_single_value(msgpack, "python_repr");
  // One zone per thread, cleared after use: a fresh object_handle allocated
  // and freed an 8 KB zone per value (every argument of every enqueue).
  thread_local msgpack::zone zone;
  struct Clear {
    msgpack::zone& z;
    ~Clear() { z.clear(); }
  } clear{zone};
  return repr(msgpack::unpack(zone, msgpack.data(), msgpack.size()));
}

std::string call_description(const JobCall& call) {
  std::vector<std::string> parts;
  for (auto item : detail::array_items(call.args, "job args")) {
    parts.push_back(truncate(python_repr(item)));
  }
  std::vector<std::string> kw;
  for (const auto& [key, value] : detail::map_items(call.kwargs, "job kwargs")) {
    kw.push_back(key + "=" + truncate(python_repr(value)));
  }
  std::sort(kw.begin(), kw.end());  // RQ sorts the "k=v" strings, not the keys
  parts.insert(parts.end(), kw.begin(), kw.end());
  std::string out = call.func_name + "(";
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += ", ";
    out += parts[i];
  }
  return out + ")";
}

}  // namespace rqcpp
