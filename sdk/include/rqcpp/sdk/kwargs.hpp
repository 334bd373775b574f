// Keyword arguments for job functions that opt in to them.
#pragma once

#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <map>
#include <memory>
#include <msgpack.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rqcpp/sdk/arg_codec.hpp"
#include "rqcpp/sdk/bounded_unpack.hpp"
#include "rqcpp/sdk/job_error.hpp"
#include "rqcpp/sdk/message.hpp"

namespace rqcpp {

// A job's keyword arguments. C++ parameters have no names at run time, so
// keywords cannot be matched to parameters: a job function that accepts
// keywords declares rqcpp::Kwargs as its LAST parameter (by value or const&)
// and reads them by name; it does not count as a positional parameter. Every
// other job function fails with TypeError "f() takes no keyword arguments"
// when a job carries any.
//
//   int scale(int x, rqcpp::Kwargs kw) { return x * kw.get_or<int>("factor", 2); }
//   RQCPP_JOB(scale, "x * factor (keyword, default 2)");
//
// A Kwargs owns a copy of the values (it may outlive the call). Errors are
// thrown as rqcpp::JobError("TypeError", ...) naming the function, so letting
// them escape fails the job with a readable message.
class Kwargs {
 public:
  // No keywords.
  Kwargs() = default;

  // Decodes `msgpack_map` (a msgpack map with str keys) for function
  // `function` (used in messages, e.g. "scale"). Throws JobError("TypeError")
  // when the bytes are not such a map.
  Kwargs(std::string function, std::string_view msgpack_map) : function_(std::move(function)) {
    auto handle = std::make_shared<msgpack::object_handle>();
    try {
      *handle = sdk_detail::bounded_unpack(msgpack_map.data(), msgpack_map.size());
    } catch (const std::exception& e) {
      throw JobError(
          "TypeError",
          sdk_detail::concat(function_, "() keyword arguments are not valid msgpack: ", e.what()));
    }
    const msgpack::object& map = handle->get();
    if (map.type != msgpack::type::MAP) {
      throw JobError("TypeError",
                     sdk_detail::concat(function_, "() keyword arguments must be a dict, got ",
                                        sdk_detail::kind_name(map)));
    }
    for (std::uint32_t i = 0; i < map.via.map.size; ++i) {
      const msgpack::object_kv& kv = map.via.map.ptr[i];
      if (kv.key.type != msgpack::type::STR) {
        throw JobError("TypeError", sdk_detail::concat(function_, "() keywords must be str, got ",
                                                       sdk_detail::kind_name(kv.key)));
      }
      items_.insert_or_assign(std::string(kv.key.via.str.ptr, kv.key.via.str.size), kv.val);
    }
    handle_ = std::move(handle);
  }

  std::size_t size() const noexcept { return items_.size(); }
  bool empty() const noexcept { return items_.empty(); }
  bool contains(std::string_view name) const { return items_.find(name) != items_.end(); }

  // The keyword names, sorted.
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& [name, value] : items_) out.push_back(name);
    return out;
  }

  // The raw value of `name`, or nullptr when absent. Valid while this Kwargs
  // (or a copy of it) lives.
  const msgpack::object* find(std::string_view name) const {
    auto it = items_.find(name);
    return it == items_.end() ? nullptr : &it->second;
  }

  // The value of `name` as T (see arg_codec.hpp for the supported types).
  // Throws JobError("TypeError") when it is missing or does not convert.
  template <class T>
  T get(std::string_view name) const {
    const msgpack::object* o = find(name);
    if (!o) {
      throw JobError(
          "TypeError",
          sdk_detail::concat(function_, "() missing required keyword argument '", name, "'"));
    }
    return decode<T>(name, *o);
  }

  // The value of `name` as T, or nullopt when absent. Throws
  // JobError("TypeError") when present but not convertible.
  template <class T>
  std::optional<T> get_optional(std::string_view name) const {
    const msgpack::object* o = find(name);
    if (!o) return std::nullopt;
    return decode<T>(name, *o);
  }

  // The value of `name` as T, or `fallback` when absent. Throws as
  // get_optional.
  template <class T>
  T get_or(std::string_view name, T fallback) const {
    auto v = get_optional<T>(name);
    return v ? std::move(*v) : std::move(fallback);
  }

  // Fails like Python does for an unknown keyword: throws
  // JobError("TypeError", "f() got an unexpected keyword argument 'x'") for
  // the first (sorted) keyword not in `allowed`.
  void expect_only(std::initializer_list<std::string_view> allowed) const {
    for (const auto& [name, value] : items_) {
      if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
        throw JobError(
            "TypeError",
            sdk_detail::concat(function_, "() got an unexpected keyword argument '", name, "'"));
      }
    }
  }

 private:
  template <class T>
  T decode(std::string_view name, const msgpack::object& o) const {
    try {
      return sdk_detail::ArgCodec<T>::decode(o);
    } catch (const sdk_detail::DecodeFailure& f) {
      throw JobError("TypeError", sdk_detail::concat(function_, "() keyword argument '", name, "'",
                                                     f.path, ": ", f.message));
    }
  }

  std::string function_ = "job";
  std::shared_ptr<const msgpack::object_handle> handle_;  // owns the values in items_
  std::map<std::string, msgpack::object, std::less<>> items_;
};

}  // namespace rqcpp
