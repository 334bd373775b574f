// Building job arguments and reading results in the SDK tests.
#pragma once

#include <map>
#include <rqcpp/sdk.hpp>
#include <string>

namespace rqcpp::test {

// A msgpack array of the given values (a job's positional arguments).
// Floats are packed as floats (as Python and rqcpp::Args pack them), not
// as msgpack-c alone would (2.0 as the integer 2).
template <class... T>
std::string args(const T&... values) {
  rqcpp::sdk_detail::PackedBytes buf;
  msgpack::packer<rqcpp::sdk_detail::PackedBytes> p(buf);
  p.pack_array(sizeof...(T));
  (p.pack(values), ...);
  return std::move(buf.bytes);
}

// One value packed.
template <class T>
std::string packed(const T& value) {
  return rqcpp::sdk_detail::pack_bytes(value);
}

// Decodes msgpack bytes as T (throws msgpack::type_error on mismatch).
template <class T>
T unpacked(const std::string& bytes) {
  msgpack::object_handle h = msgpack::unpack(bytes.data(), bytes.size());
  return h.get().as<T>();
}

// "cb 40 00": bytes as spaced hex, for byte-exact checks.
inline std::string hex_of(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    if (!out.empty()) out += ' ';
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

// The msgpack type of the value in `bytes`.
inline msgpack::type::object_type kind_of(const std::string& bytes) {
  msgpack::object_handle h = msgpack::unpack(bytes.data(), bytes.size());
  return h.get().type;
}

inline const std::string kNoKwargs = std::string("\x80", 1);

}  // namespace rqcpp::test
