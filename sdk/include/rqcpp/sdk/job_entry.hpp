// The generated C entry point of a typed job function: decodes the msgpack
// arguments into the parameter types, calls the function, encodes its result
// and turns every failure into set_error. SDK internals, used by RQCPP_JOB.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <msgpack.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "rqcpp/function_ref.hpp"
#include "rqcpp/plugin.h"
#include "rqcpp/sdk/arg_codec.hpp"
#include "rqcpp/sdk/bounded_unpack.hpp"
#include "rqcpp/sdk/demangle.hpp"
#include "rqcpp/sdk/job_context.hpp"
#include "rqcpp/sdk/job_error.hpp"
#include "rqcpp/sdk/kwargs.hpp"
#include "rqcpp/sdk/message.hpp"
#include "rqcpp/sdk/packed_bytes.hpp"
#include "rqcpp/sdk/visibility.hpp"

namespace rqcpp {
namespace RQCPP_SDK_HIDDEN sdk_detail {

// A string literal usable as a template argument (the job's name).
template <std::size_t N>
struct FixedString {
  char value[N] = {};
  // Implicit: a class-type template argument is written as a plain literal.
  // NOLINTNEXTLINE(google-explicit-constructor)
  constexpr FixedString(const char (&s)[N]) {
    for (std::size_t i = 0; i < N; ++i) value[i] = s[i];
  }
  // The part after the last "::" ("ns::add" -> "add"), same capacity.
  constexpr FixedString unqualified() const {
    std::size_t start = 0;
    for (std::size_t i = 0; i + 1 < N && value[i]; ++i) {
      if (value[i] == ':' && value[i + 1] == ':') start = i + 2;
    }
    FixedString out = *this;
    std::size_t j = 0;
    for (std::size_t i = start; i < N; ++i) out.value[j++] = value[i];
    for (; j < N; ++j) out.value[j] = '\0';
    return out;
  }
  // True for names usable as the function part of "libname:function"
  // (FunctionRef::is_valid_function, the rule every other user checks).
  constexpr bool is_valid_job_name() const {
    return FunctionRef::is_valid_function(std::string_view(value));
  }
};

// The NUL-terminated text of `Name`, with static storage duration (the
// template parameter object), so the manifest may point to it.
template <FixedString Name>
inline constexpr const char* job_name = Name.value;

// Parameter and result types of a plain function pointer.
template <class F>
struct Signature;
template <class R, class... P>
struct Signature<R (*)(P...)> {
  using Result = R;
  using Params = std::tuple<P...>;
};
template <class R, class... P>
struct Signature<R (*)(P...) noexcept> : Signature<R (*)(P...)> {};

template <class T>
inline constexpr bool is_kwargs_v = std::is_same_v<std::remove_cvref_t<T>, Kwargs>;
template <class T>
inline constexpr bool is_optional_v = false;
template <class T>
inline constexpr bool is_optional_v<std::optional<T>> = true;

// Positional-parameter shape of a job function: how many, how many may be
// left out (trailing std::optional), whether a trailing Kwargs takes keywords.
template <class Params>
struct Shape;
template <class... P>
struct Shape<std::tuple<P...>> {
  static constexpr std::size_t count = sizeof...(P);
  static constexpr bool kwargs = [] {
    constexpr bool flags[] = {is_kwargs_v<P>..., false};
    return count > 0 && flags[count > 0 ? count - 1 : 0];
  }();
  static constexpr std::size_t positional = kwargs ? count - 1 : count;
  static constexpr std::size_t kwargs_params = (0 + ... + (is_kwargs_v<P> ? 1 : 0));
  static_assert(kwargs_params == (kwargs ? 1u : 0u),
                "rqcpp::Kwargs must be the last parameter of a job function, at most once");
  static constexpr std::size_t required() {
    constexpr bool optional[] = {is_optional_v<std::remove_cvref_t<P>>..., false};
    std::size_t n = positional;
    while (n > 0 && optional[n - 1]) --n;
    return n;
  }
};

inline std::string arity_message(const char* name, std::size_t min, std::size_t max,
                                 std::size_t given) {
  std::string takes =
      min == max ? std::to_string(max) : concat(std::to_string(min), " to ", std::to_string(max));
  return concat(name, "() takes ", takes, max == 1 ? " argument" : " arguments", ", got ",
                std::to_string(given));
}

inline std::string keyword_names(const msgpack::object& map) {
  std::string out;
  for (std::uint32_t i = 0; i < map.via.map.size; ++i) {
    const msgpack::object& k = map.via.map.ptr[i].key;
    out += i ? ", '" : "'";
    if (k.type == msgpack::type::STR) {
      out.append(k.via.str.ptr, k.via.str.size);
    } else {
      out += '?';
    }
    out += '\'';
  }
  return out;
}

// Decodes positional argument `i` (0-based) as D; an absent trailing
// optional becomes nullopt.
template <class D>
D decode_arg(const char* name, const msgpack::object& args, std::size_t i) {
  if constexpr (is_optional_v<D>) {
    if (i >= args.via.array.size) return D{};
  }
  try {
    return ArgCodec<D>::decode(args.via.array.ptr[i]);
  } catch (const DecodeFailure& f) {
    throw JobError("TypeError",
                   concat(name, "() argument ", std::to_string(i + 1), f.path, ": ", f.message));
  }
}

// Decodes every parameter of F from `args` (array) and `kwargs` (raw map) and
// calls F; returns the packed result, or nullopt for void.
template <auto F, std::size_t... I>
std::optional<std::string> call_with(const char* name, const msgpack::object& args,
                                     std::string_view kwargs, std::index_sequence<I...>) {
  using Params = typename Signature<decltype(F)>::Params;
  using Decoded = std::tuple<std::remove_cvref_t<std::tuple_element_t<I, Params>>...>;
  [[maybe_unused]] auto decode_one = [&]<std::size_t J>(std::integral_constant<std::size_t, J>) {
    using D = std::tuple_element_t<J, Decoded>;
    if constexpr (is_kwargs_v<D>) {
      return Kwargs(name, kwargs);
    } else {
      return decode_arg<D>(name, args, J);
    }
  };
  // Braced initialization evaluates left to right: the first bad argument is reported.
  Decoded values{decode_one(std::integral_constant<std::size_t, I>{})...};
  using R = typename Signature<decltype(F)>::Result;
  if constexpr (std::is_void_v<R>) {
    std::invoke(F, std::forward<std::tuple_element_t<I, Params>>(std::get<I>(values))...);
    return std::nullopt;
  } else {
    decltype(auto) result =
        std::invoke(F, std::forward<std::tuple_element_t<I, Params>>(std::get<I>(values))...);
    return pack_bytes(result);
  }
}

// Unpacks one msgpack value handed over by the host; throws JobError
// ("TypeError") naming `what` when the bytes are not msgpack.
inline msgpack::object_handle unpack_or_fail(const char* name, const char* what, const char* data,
                                             std::size_t size) {
  try {
    return bounded_unpack(data, size);
  } catch (const std::exception& e) {
    throw JobError("TypeError", concat(name, "() ", what, " are not valid msgpack: ", e.what()));
  }
}

inline int report_error(rqcpp_context* ctx, const std::string& type, const std::string& message) {
  ctx->set_error(ctx, type.c_str(), message.c_str(), nullptr);
  return RQCPP_ERROR;
}

// The C entry point of job function F registered as `Name`.
template <FixedString Name, auto F>
int job_entry(rqcpp_context* ctx, const std::uint8_t* args, std::size_t args_size,
              const std::uint8_t* kwargs, std::size_t kwargs_size) noexcept {
  if (!ctx) return RQCPP_ERROR;
  const char* name = Name.value;
  JobContext job(ctx);
  CurrentJobScope scope(job);
  try {
    using S = Shape<typename Signature<decltype(F)>::Params>;
    msgpack::object_handle args_handle =
        unpack_or_fail(name, "arguments", reinterpret_cast<const char*>(args), args_size);
    const msgpack::object& array = args_handle.get();
    if (array.type != msgpack::type::ARRAY) {
      throw JobError("TypeError",
                     concat(name, "() arguments must be a list, got ", kind_name(array)));
    }
    std::string_view kw(reinterpret_cast<const char*>(kwargs), kwargs_size);
    if constexpr (!S::kwargs) {
      if (!kw.empty()) {
        msgpack::object_handle kw_handle =
            unpack_or_fail(name, "keyword arguments", kw.data(), kw.size());
        const msgpack::object& map = kw_handle.get();
        if (map.type != msgpack::type::MAP || map.via.map.size != 0) {
          throw JobError(
              "TypeError",
              concat(name, "() takes no keyword arguments (got ",
                     map.type == msgpack::type::MAP ? keyword_names(map) : kind_name(map), ")"));
        }
      }
    } else if (kw.empty()) {
      kw = std::string_view("\x80", 1);
    }
    const std::size_t given = array.via.array.size;
    if (given < S::required() || given > S::positional) {
      throw JobError("TypeError", arity_message(name, S::required(), S::positional, given));
    }
    std::optional<std::string> result =
        call_with<F>(name, array, kw, std::make_index_sequence<S::count>{});
    if (result) {
      ctx->set_result(ctx, reinterpret_cast<const std::uint8_t*>(result->data()), result->size());
    }
    return RQCPP_OK;
  } catch (const JobError& e) {
    return report_error(ctx, e.type(), e.what());
  } catch (const std::exception& e) {
    return report_error(ctx, demangle(typeid(e).name()), e.what());
  } catch (...) {
    std::string type = current_exception_type_name();
    return report_error(ctx, type, concat("a C++ exception of type ", type, " was thrown"));
  }
}

}  // namespace sdk_detail
}  // namespace rqcpp
