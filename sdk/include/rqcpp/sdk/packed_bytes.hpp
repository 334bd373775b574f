// A msgpack-c output stream into a std::string whose packer keeps floats
// floats. msgpack-c 4.1's packer writes a double or float holding a whole
// number (2.0, -0.0, 1e15) as a msgpack integer, so a Python peer reads the
// int 2 where the job returned the float 2.0, and -0.0 loses its sign. Every
// msgpack value rqcpp writes (plugin results and meta through the SDK,
// producer arguments through rqcpp::Args) is packed through
// msgpack::packer<PackedBytes>, whose pack_double and pack_float below write
// a float64 (0xcb) always, as Python's msgpack packs a float; this holds
// inside containers and for re-packed msgpack::object values too.
#pragma once

#include <cstdint>
#include <cstring>
#include <msgpack.hpp>
#include <string>

#include "rqcpp/sdk/visibility.hpp"

namespace rqcpp {
namespace RQCPP_SDK_HIDDEN sdk_detail {

// The stream: bytes are appended to `bytes`, which the caller owns and moves
// out when done.
struct PackedBytes {
  std::string bytes;
  void write(const char* data, std::size_t size) { bytes.append(data, size); }
};

// msgpack float64 of `d`: 0xcb and the IEEE-754 bits, big-endian.
inline void append_float64(std::string& out, double d) {
  std::uint64_t bits = 0;
  std::memcpy(&bits, &d, sizeof bits);
  out += static_cast<char>(0xcb);
  for (int i = 7; i >= 0; --i) out += static_cast<char>((bits >> (8 * i)) & 0xff);
}

// Packs `value` with msgpack-c into msgpack bytes, floats kept as floats.
template <class T>
std::string pack_bytes(const T& value) {
  PackedBytes out;
  msgpack::pack(out, value);
  return std::move(out.bytes);
}

}  // namespace sdk_detail
}  // namespace rqcpp

namespace msgpack {
MSGPACK_API_VERSION_NAMESPACE(v1) {
  // Declared here, with PackedBytes, so no translation unit can instantiate the
  // integer-folding primary definition for this stream first.
  template <>
  inline packer<rqcpp::sdk_detail::PackedBytes>&
  packer<rqcpp::sdk_detail::PackedBytes>::pack_double(double d) {
    rqcpp::sdk_detail::append_float64(m_stream.bytes, d);
    return *this;
  }

  template <>
  inline packer<rqcpp::sdk_detail::PackedBytes>& packer<rqcpp::sdk_detail::PackedBytes>::pack_float(
      float d) {
    rqcpp::sdk_detail::append_float64(m_stream.bytes, static_cast<double>(d));
    return *this;
  }

}  // MSGPACK_API_VERSION_NAMESPACE(v1)
}  // namespace msgpack
