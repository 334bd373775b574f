// Internal msgpack walking: element slices and minimal headers.
#include "msgpack_items.hpp"

#include <cstdint>
#include <msgpack.hpp>

#include "rqcpp/defaults.hpp"
#include "rqcpp/error.hpp"
#include "rqcpp/serialization.hpp"

namespace rqcpp::detail {
namespace {

[[noreturn]] void bad(const char* what, const std::string& why) {
  throw DecodeError(std::string(what) + ": " + why);
}

uint32_t be(std::string_view data, size_t pos, size_t n, const char* what);

// Layout of the types 0xc0..0xdf: bytes before the payload (0: 0xc1, never
// used), width of the big-endian length field at byte 1, fixed payload
// bytes, and whether the length counts elements (1, arrays) or pairs (2,
// maps) instead of payload bytes.
struct Kind {
  uint8_t header, length_bytes, fixed, items;
};
constexpr Kind kKinds[32] = {
    {1, 0, 0, 0},  {0, 0, 0, 0}, {1, 0, 0, 0}, {1, 0, 0, 0},   // nil, -, false, true
    {2, 1, 0, 0},  {3, 2, 0, 0}, {5, 4, 0, 0},                 // bin 8/16/32
    {3, 1, 0, 0},  {4, 2, 0, 0}, {6, 4, 0, 0},                 // ext 8/16/32 (+type)
    {1, 0, 4, 0},  {1, 0, 8, 0},                               // float 32/64
    {1, 0, 1, 0},  {1, 0, 2, 0}, {1, 0, 4, 0}, {1, 0, 8, 0},   // uint 8..64
    {1, 0, 1, 0},  {1, 0, 2, 0}, {1, 0, 4, 0}, {1, 0, 8, 0},   // int 8..64
    {1, 0, 2, 0},  {1, 0, 3, 0}, {1, 0, 5, 0}, {1, 0, 9, 0},   // fixext 1..8 (+type)
    {1, 0, 17, 0},                                             // fixext 16
    {2, 1, 0, 0},  {3, 2, 0, 0}, {5, 4, 0, 0},                 // str 8/16/32
    {3, 2, 0, 1},  {5, 4, 0, 1}, {3, 2, 0, 2}, {5, 4, 0, 2}};  // array, map 16/32

// Size of the msgpack value at data[off]. A hand-written walk of the format:
// msgpack::unpack built an object tree in a fresh 8 KB zone for every value,
// a fifth of an enqueue's instructions. `need` counts the values still to
// skip; each takes at least one byte, so a count beyond the bytes left is a
// truncation (and `need` cannot overflow).
size_t value_size(std::string_view data, size_t off, const char* what) {
  const size_t n = data.size();
  size_t pos = off;
  uint64_t need = 1;
  while (need > 0) {
    if (pos >= n || need > n - pos) bad(what, "malformed msgpack (truncated value)");
    --need;
    auto b = static_cast<unsigned char>(data[pos]);
    uint64_t header = 1, payload = 0;
    if (b <= 0x7f || b >= 0xe0) {  // fixint
    } else if (b <= 0x8f) {
      need += 2 * static_cast<uint64_t>(b & 0x0f);  // fixmap
    } else if (b <= 0x9f) {
      need += b & 0x0f;  // fixarray
    } else if (b <= 0xbf) {
      payload = b & 0x1f;  // fixstr
    } else {
      const Kind& k = kKinds[b - 0xc0];
      if (k.header == 0) bad(what, "malformed msgpack (reserved byte 0xc1)");
      uint64_t length = k.length_bytes ? be(data, pos + 1, k.length_bytes, what) : 0;
      header = k.header;
      if (k.items) {
        need += length * k.items;
      } else {
        payload = length + k.fixed;
      }
    }
    if (header + payload > n - pos) bad(what, "malformed msgpack (truncated value)");
    pos += header + payload;
  }
  return pos - off;
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
    size_t key_len = value_size(data, pos, what);
    auto b = static_cast<unsigned char>(data[pos]);
    size_t key_header = (b >= 0xa0 && b <= 0xbf) ? 1
                        : b == 0xd9              ? 2
                        : b == 0xda              ? 3
                        : b == 0xdb              ? 5
                                                 : 0;
    if (key_header == 0) bad(what, "map key is not a string");
    std::string key(data.substr(pos + key_header, key_len - key_header));
    size_t key_end = pos + key_len;
    if (key_end >= data.size()) bad(what, "truncated msgpack map");
    size_t len = value_size(data, key_end, what);
    items.emplace_back(std::move(key), data.substr(key_end, len));
    pos = key_end + len;
  }
  if (pos != data.size()) bad(what, "trailing bytes after the msgpack map");
  return items;
}

namespace {

// The header of a msgpack array or map of n items: fix (fix_base | n), 16-
// or 32-bit count.
void append_container_header(std::string& out, size_t n, unsigned fix_base, char code16,
                             char code32) {
  if (n < 16) {
    out += static_cast<char>(fix_base | n);
  } else if (n < 65536) {
    out += code16;
    put_be(out, static_cast<uint32_t>(n), 2);
  } else {
    out += code32;
    put_be(out, static_cast<uint32_t>(n), 4);
  }
}

}  // namespace

void append_array_header(std::string& out, size_t n) {
  append_container_header(out, n, 0x90, '\xdc', '\xdd');
}

void append_map_header(std::string& out, size_t n) {
  append_container_header(out, n, 0x80, '\xde', '\xdf');
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

namespace rqcpp {
namespace {

// msgpack-c's parser keeps its own stack (no recursion); this visitor only
// counts depth and stops the parse when it is too deep.
class DepthVisitor : public msgpack::null_visitor {
 public:
  bool start_array(uint32_t) { return enter(); }
  bool end_array() { return leave(); }
  bool start_map(uint32_t) { return enter(); }
  bool end_map() { return leave(); }
  bool too_deep() const { return too_deep_; }

 private:
  bool enter() {
    too_deep_ = ++depth_ > defaults::kMaxNestingDepth;
    return !too_deep_;
  }
  bool leave() {
    --depth_;
    return true;
  }
  int depth_ = 0;
  bool too_deep_ = false;
};

}  // namespace

void check_nesting(std::string_view msgpack) {
  DepthVisitor v;
  std::size_t off = 0;
  msgpack::parse(msgpack.data(), msgpack.size(), off, v);
  if (v.too_deep()) {
    throw DecodeError("value nested deeper than " + std::to_string(defaults::kMaxNestingDepth) +
                      " arrays and maps");
  }
}

}  // namespace rqcpp
