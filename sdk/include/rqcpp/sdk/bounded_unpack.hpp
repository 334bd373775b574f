// Unpacking msgpack bytes that the host hands a plugin (arguments, keyword
// arguments, meta). SDK internals.
#pragma once

#include <algorithm>
#include <cstddef>
#include <msgpack.hpp>

#include "rqcpp/sdk/visibility.hpp"

namespace rqcpp {
namespace RQCPP_SDK_HIDDEN sdk_detail {

// msgpack::unpack with limits taken from the input's size: every array
// element needs at least one byte and every map entry two, so a header that
// declares more than `size` can hold is refused (msgpack::array_size_overflow
// or map_size_overflow) before msgpack-c reserves memory for all of it.
// Without this, a 5-byte array header declaring 4 billion elements made
// msgpack-c ask for 128 GB (found by tests/fuzz/sdk_args_fuzz.cpp). Throws
// what msgpack::unpack throws (std::exception subclasses) for bad input.
inline msgpack::object_handle bounded_unpack(const char* data, std::size_t size) {
  const std::size_t n = std::min<std::size_t>(size, 0xffffffff);
  const msgpack::unpack_limit limit(/*array=*/n, /*map=*/n / 2);
  return msgpack::unpack(data, size, nullptr, nullptr, limit);
}

}  // namespace sdk_detail
}  // namespace rqcpp
