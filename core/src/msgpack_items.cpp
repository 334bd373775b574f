// Internal msgpack walking: element slices and minimal headers.
#include "msgpack_items.hpp"

#include <msgpack.hpp>

#include "rqcpp/error.hpp"

namespace rqcpp::detail {
namespace {

[[noreturn]] void bad(const char* what, const std::string& why) {
  throw DecodeError(std::string(what) + ": " + why);
}

// Size of the msgpack value at data[off].
size_t value_size(std::string_view data, size_t off, const char* what) {
  size_t end = off;
  try {
    msgpack::object_handle oh = msgpack::unpack(data.data(), data.size(), end);
  } catch (const std::exception& e) {
    bad(what, std::string("malformed msgpack (") + e.what() + ")");
  }
  return end - off;
}

uint32_t be(std::string_view data, size_t pos, size_t n, const char* what) {
  if (pos + n > data.size()) bad(what, "truncated msgpack header");
  uint32_t v = 0;
  for (size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(data[pos + i]);
  return v;
}

// Element count and header length of an array (is_map false) or map.
std::pair<size_t, size_t> header(std::string_view data, bool is_map, const char* what) {
  if (data.empty()) bad(what, "empty msgpack");
  auto b = static_cast<unsigned char>(data[0]);
  unsigned char fix = is_map ? 0x80 : 0x90, x16 = is_map ? 0xde : 0xdc, x32 = is_map ? 0xdf : 0xdd;
  if ((b & 0xf0) == fix) return {b & 0x0f, 1};
  if (b == x16) return {be(data, 1, 2, what), 3};
  if (b == x32) return {be(data, 1, 4, what), 5};
  bad(what, is_map ? "not a msgpack map" : "not a msgpack array");
}

void put_be(std::string& out, uint32_t v, int n) {
  for (int i = n - 1; i >= 0; --i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

}  // namespace

void check_single_value(std::string_view data, const char* what) {
  if (data.empty()) bad(what, "empty msgpack");
  if (value_size(data, 0, what) != data.size()) bad(what, "trailing bytes after the msgpack value");
}

std::vector<std::string_view> array_items(std::string_view data, const char* what) {
  auto [n, pos] = header(data, false, what);
  std::vector<std::string_view> items;
  items.reserve(std::min<size_t>(n, data.size()));
  for (size_t i = 0; i < n; ++i) {
    if (pos >= data.size()) bad(what, "truncated msgpack array");
    size_t len = value_size(data, pos, what);
    items.push_back(data.substr(pos, len));
    pos += len;
  }
  if (pos != data.size()) bad(what, "trailing bytes after the msgpack array");
  return items;
}

std::vector<std::pair<std::string, std::string_view>> map_items(std::string_view data,
                                                                const char* what) {
  auto [n, pos] = header(data, true, what);
  std::vector<std::pair<std::string, std::string_view>> items;
  items.reserve(std::min<size_t>(n, data.size()));
  for (size_t i = 0; i < n; ++i) {
    if (pos >= data.size()) bad(what, "truncated msgpack map");
    size_t key_end = pos;
    std::string key;
    try {
      msgpack::object_handle oh = msgpack::unpack(data.data(), data.size(), key_end);
      if (oh.get().type != msgpack::type::STR) bad(what, "map key is not a string");
      key.assign(oh.get().via.str.ptr, oh.get().via.str.size);
    } catch (const DecodeError&) {
      throw;
    } catch (const std::exception& e) {
      bad(what, std::string("malformed msgpack (") + e.what() + ")");
    }
    if (key_end >= data.size()) bad(what, "truncated msgpack map");
    size_t len = value_size(data, key_end, what);
    items.emplace_back(std::move(key), data.substr(key_end, len));
    pos = key_end + len;
  }
  if (pos != data.size()) bad(what, "trailing bytes after the msgpack map");
  return items;
}

void append_array_header(std::string& out, size_t n) {
  if (n < 16) {
    out += static_cast<char>(0x90 | n);
  } else if (n < 65536) {
    out += '\xdc';
    put_be(out, static_cast<uint32_t>(n), 2);
  } else {
    out += '\xdd';
    put_be(out, static_cast<uint32_t>(n), 4);
  }
}

void append_map_header(std::string& out, size_t n) {
  if (n < 16) {
    out += static_cast<char>(0x80 | n);
  } else if (n < 65536) {
    out += '\xde';
    put_be(out, static_cast<uint32_t>(n), 2);
  } else {
    out += '\xdf';
    put_be(out, static_cast<uint32_t>(n), 4);
  }
}

void append_str(std::string& out, std::string_view s) {
  size_t n = s.size();
  if (n < 32) {
    out += static_cast<char>(0xa0 | n);
  } else if (n < 256) {
    out += '\xd9';
    put_be(out, static_cast<uint32_t>(n), 1);
  } else if (n < 65536) {
    out += '\xda';
    put_be(out, static_cast<uint32_t>(n), 2);
  } else {
    out += '\xdb';
    put_be(out, static_cast<uint32_t>(n), 4);
  }
  out.append(s);
}

}  // namespace rqcpp::detail
