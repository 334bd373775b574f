// Building job arguments and reading results in the SDK tests.
#pragma once

#include <map>
#include <rqcpp/sdk.hpp>
#include <string>

namespace rqcpp::test {

// A msgpack array of the given values (a job's positional arguments).
template <class... T>
std::string args(const T&... values) {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> p(buf);
  p.pack_array(sizeof...(T));
  (p.pack(values), ...);
  return std::string(buf.data(), buf.size());
}

// One value packed.
template <class T>
std::string packed(const T& value) {
  msgpack::sbuffer buf;
  msgpack::pack(buf, value);
  return std::string(buf.data(), buf.size());
}

// Decodes msgpack bytes as T (throws msgpack::type_error on mismatch).
template <class T>
T unpacked(const std::string& bytes) {
  msgpack::object_handle h = msgpack::unpack(bytes.data(), bytes.size());
  return h.get().as<T>();
}

// The msgpack type of the value in `bytes`.
inline msgpack::type::object_type kind_of(const std::string& bytes) {
  msgpack::object_handle h = msgpack::unpack(bytes.data(), bytes.size());
  return h.get().type;
}

inline const std::string kNoKwargs = std::string("\x80", 1);

}  // namespace rqcpp::test
