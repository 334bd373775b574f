// Decoding msgpack values into a job function's parameter types, with errors
// a job's submitter can read ("expected list[int], got str").
//
// Supported parameter types (cv/ref dropped): bool, every integer type (range
// checked), float/double (ints accepted too), std::string and
// std::string_view (str or bin), std::vector<std::uint8_t> ("bytes": bin or
// str), std::vector<T>, std::map/std::unordered_map<std::string, T>,
// std::optional<T> (nil = nullopt), std::tuple<T...> (an array of exactly
// that size), std::nullptr_t (nil only) and msgpack::object (anything). Any
// other type goes through msgpack-c's own conversion (e.g. MSGPACK_DEFINE
// structs) and is named by its C++ type in errors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <msgpack.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "rqcpp/sdk/demangle.hpp"
#include "rqcpp/sdk/message.hpp"
#include "rqcpp/sdk/msgpack_nullptr.hpp"
#include "rqcpp/sdk/visibility.hpp"

namespace rqcpp {
namespace RQCPP_SDK_HIDDEN sdk_detail {

// Why a value did not decode: `path` locates the bad part inside the value
// ("", "[2]", "['key']", "[0]['a']"), `message` says "expected X, got Y".
struct DecodeFailure {
  std::string path;
  std::string message;
};

// The Python name of a msgpack value's kind, as a submitter sees it.
inline const char* kind_name(const msgpack::object& o) {
  switch (o.type) {
    case msgpack::type::NIL:
      return "None";
    case msgpack::type::BOOLEAN:
      return "bool";
    case msgpack::type::POSITIVE_INTEGER:
    case msgpack::type::NEGATIVE_INTEGER:
      return "int";
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64:
      return "float";
    case msgpack::type::STR:
      return "str";
    case msgpack::type::BIN:
      return "bytes";
    case msgpack::type::ARRAY:
      return "list";
    case msgpack::type::MAP:
      return "dict";
    case msgpack::type::EXT:
      return "ext";
  }
  return "unknown";
}

[[noreturn]] inline void fail_expected(const std::string& expected, const msgpack::object& got) {
  throw DecodeFailure{"", concat("expected ", expected, ", got ", kind_name(got))};
}

// Decodes element/field values, prefixing the failure path with `where`.
template <class Fn>
auto with_path(const std::string& where, Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (DecodeFailure& f) {
    f.path = where + f.path;
    throw;
  }
}

inline std::string quoted_key(std::string_view key) {
  return concat("['", key, "']");
}

// ArgCodec<T>: name() is T in readable words, decode() turns a msgpack object
// into T or throws DecodeFailure. The primary template is the msgpack-c
// fallback for types without a specialization.
template <class T, class Enable = void>
struct ArgCodec {
  static std::string name() { return type_name<T>(); }
  static T decode(const msgpack::object& o) {
    try {
      return o.as<T>();
    } catch (const std::exception&) {
      fail_expected(name(), o);
    }
  }
};

template <>
struct ArgCodec<bool> {
  static std::string name() { return "bool"; }
  static bool decode(const msgpack::object& o) {
    if (o.type != msgpack::type::BOOLEAN) fail_expected(name(), o);
    return o.via.boolean;
  }
};

template <class T>
struct ArgCodec<T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>>> {
  using L = std::numeric_limits<T>;
  static std::string name() { return "int"; }
  static T decode(const msgpack::object& o) {
    if (o.type == msgpack::type::POSITIVE_INTEGER) {
      if (o.via.u64 <= static_cast<std::uint64_t>(L::max())) return static_cast<T>(o.via.u64);
      out_of_range(std::to_string(o.via.u64));
    }
    if (o.type == msgpack::type::NEGATIVE_INTEGER) {
      if constexpr (L::is_signed) {
        if (o.via.i64 >= static_cast<std::int64_t>(L::min())) return static_cast<T>(o.via.i64);
      }
      out_of_range(std::to_string(o.via.i64));
    }
    fail_expected(name(), o);
  }
  [[noreturn]] static void out_of_range(const std::string& value) {
    throw DecodeFailure{"", concat("expected int in [", std::to_string(L::min()), ", ",
                                   std::to_string(L::max()), "], got ", value)};
  }
};

template <class T>
struct ArgCodec<T, std::enable_if_t<std::is_floating_point_v<T>>> {
  static std::string name() { return "float"; }
  static T decode(const msgpack::object& o) {
    switch (o.type) {
      case msgpack::type::FLOAT32:
      case msgpack::type::FLOAT64:
        return static_cast<T>(o.via.f64);
      case msgpack::type::POSITIVE_INTEGER:
        return static_cast<T>(o.via.u64);
      case msgpack::type::NEGATIVE_INTEGER:
        return static_cast<T>(o.via.i64);
      default:
        fail_expected(name(), o);
    }
  }
};

// Text or bytes; a std::string_view points into the job's argument buffer and
// is valid only during the call.
template <class T>
struct ArgCodec<
    T, std::enable_if_t<std::is_same_v<T, std::string> || std::is_same_v<T, std::string_view>>> {
  static std::string name() { return "str"; }
  static T decode(const msgpack::object& o) {
    if (o.type == msgpack::type::STR) return T(o.via.str.ptr, o.via.str.size);
    if (o.type == msgpack::type::BIN) return T(o.via.bin.ptr, o.via.bin.size);
    fail_expected(name(), o);
  }
};

template <>
struct ArgCodec<std::vector<std::uint8_t>> {
  static std::string name() { return "bytes"; }
  static std::vector<std::uint8_t> decode(const msgpack::object& o) {
    const char* p = nullptr;
    std::uint32_t size = 0;
    if (o.type == msgpack::type::STR) {
      p = o.via.str.ptr;
      size = o.via.str.size;
    } else if (o.type == msgpack::type::BIN) {
      p = o.via.bin.ptr;
      size = o.via.bin.size;
    } else {
      fail_expected(name(), o);
    }
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(p);
    return std::vector<std::uint8_t>(bytes, bytes + size);
  }
};

template <class T, class A>
struct ArgCodec<std::vector<T, A>, std::enable_if_t<!std::is_same_v<T, std::uint8_t>>> {
  static std::string name() { return concat("list[", ArgCodec<T>::name(), "]"); }
  static std::vector<T, A> decode(const msgpack::object& o) {
    if (o.type != msgpack::type::ARRAY) fail_expected(name(), o);
    std::vector<T, A> out;
    out.reserve(o.via.array.size);
    for (std::uint32_t i = 0; i < o.via.array.size; ++i) {
      out.push_back(with_path(concat("[", std::to_string(i), "]"),
                              [&] { return ArgCodec<T>::decode(o.via.array.ptr[i]); }));
    }
    return out;
  }
};

// Shared by std::map and std::unordered_map with std::string keys.
template <class M>
struct StringMapCodec {
  using V = typename M::mapped_type;
  static std::string name() { return concat("dict[str, ", ArgCodec<V>::name(), "]"); }
  static M decode(const msgpack::object& o) {
    if (o.type != msgpack::type::MAP) fail_expected(name(), o);
    M out;
    for (std::uint32_t i = 0; i < o.via.map.size; ++i) {
      const msgpack::object_kv& kv = o.via.map.ptr[i];
      if (kv.key.type != msgpack::type::STR) {
        throw DecodeFailure{
            "", concat("expected ", name(), ", got dict with a ", kind_name(kv.key), " key")};
      }
      std::string key(kv.key.via.str.ptr, kv.key.via.str.size);
      auto value = with_path(quoted_key(key), [&] { return ArgCodec<V>::decode(kv.val); });
      out.insert_or_assign(std::move(key), std::move(value));
    }
    return out;
  }
};

template <class V, class C, class A>
struct ArgCodec<std::map<std::string, V, C, A>> : StringMapCodec<std::map<std::string, V, C, A>> {};

template <class V, class H, class E, class A>
struct ArgCodec<std::unordered_map<std::string, V, H, E, A>>
    : StringMapCodec<std::unordered_map<std::string, V, H, E, A>> {};

template <class T>
struct ArgCodec<std::optional<T>> {
  static std::string name() { return concat(ArgCodec<T>::name(), " or None"); }
  static std::optional<T> decode(const msgpack::object& o) {
    if (o.type == msgpack::type::NIL) return std::nullopt;
    try {
      return ArgCodec<T>::decode(o);
    } catch (DecodeFailure& f) {
      if (f.path.empty()) f.message = concat("expected ", name(), ", got ", kind_name(o));
      throw;
    }
  }
};

template <class... T>
struct ArgCodec<std::tuple<T...>> {
  static std::string name() {
    std::string out = "tuple[";
    std::size_t i = 0;
    ((out += (i++ ? ", " : ""), out += ArgCodec<T>::name()), ...);
    out += ']';
    return out;
  }
  static std::tuple<T...> decode(const msgpack::object& o) {
    if (o.type != msgpack::type::ARRAY) fail_expected(name(), o);
    if (o.via.array.size != sizeof...(T)) {
      throw DecodeFailure{"", concat("expected ", name(), ", got list of ",
                                     std::to_string(o.via.array.size), " items")};
    }
    return decode_items(o, std::index_sequence_for<T...>{});
  }
  template <std::size_t... I>
  static std::tuple<T...> decode_items(const msgpack::object& o, std::index_sequence<I...>) {
    // Braced initialization evaluates left to right: the first bad item is reported.
    return std::tuple<T...>{with_path(concat("[", std::to_string(I), "]"),
                                      [&] { return ArgCodec<T>::decode(o.via.array.ptr[I]); })...};
  }
};

template <>
struct ArgCodec<std::nullptr_t> {
  static std::string name() { return "None"; }
  static std::nullptr_t decode(const msgpack::object& o) {
    if (o.type != msgpack::type::NIL) fail_expected(name(), o);
    return nullptr;
  }
};

// Any value, undecoded. Points into the job's argument buffer: valid only
// during the call (copy with msgpack::clone or re-pack it to keep it).
template <>
struct ArgCodec<msgpack::object> {
  static std::string name() { return "any"; }
  static msgpack::object decode(const msgpack::object& o) { return o; }
};

}  // namespace sdk_detail
}  // namespace rqcpp
