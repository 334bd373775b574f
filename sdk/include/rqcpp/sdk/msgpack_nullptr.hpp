// msgpack-c adaptor for std::nullptr_t, which msgpack-c 4.1 lacks: nullptr
// packs as nil and only nil converts to it.
//
// Include this header (directly or through <rqcpp/sdk.hpp>) instead of
// defining the adaptor again: two definitions in one translation unit do not
// compile.
#pragma once

#include <cstddef>
#include <msgpack.hpp>

namespace msgpack {
MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS) {
  namespace adaptor {

  template <>
  struct convert<std::nullptr_t> {
    // Throws msgpack::type_error for anything but nil.
    const msgpack::object& operator()(const msgpack::object& o, std::nullptr_t&) const {
      if (o.type != msgpack::type::NIL) throw msgpack::type_error();
      return o;
    }
  };

  template <>
  struct pack<std::nullptr_t> {
    template <typename Stream>
    msgpack::packer<Stream>& operator()(msgpack::packer<Stream>& o, std::nullptr_t) const {
      o.pack_nil();
      return o;
    }
  };

  template <>
  struct object<std::nullptr_t> {
    void operator()(msgpack::object& o, std::nullptr_t) const { o.type = msgpack::type::NIL; }
  };

  template <>
  struct object_with_zone<std::nullptr_t> {
    void operator()(msgpack::object::with_zone& o, std::nullptr_t) const {
      o.type = msgpack::type::NIL;
    }
  };

  }  // namespace adaptor
}  // MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS)
}  // namespace msgpack
