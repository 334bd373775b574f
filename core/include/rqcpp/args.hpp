// Positional and keyword arguments of a job, held as msgpack bytes.
//
// Keyword arguments are kept sorted by name (one entry per name; setting a
// name again replaces it).
#pragma once

#include <map>
#include <msgpack.hpp>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "rqcpp/sdk/packed_bytes.hpp"

namespace rqcpp {

class Args {
 public:
  Args() = default;

  // Packs each value with msgpack-c (ints, doubles, bool, strings,
  // std::vector, std::map<std::string, T>, std::optional, nullptr...).
  template <class... A>
  static Args of(A&&... values) {
    Args a;
    (a.add(std::forward<A>(values)), ...);
    return a;
  }
  // Appends one positional argument.
  template <class T>
  Args& add(const T& value) {
    positional_.push_back(pack_one(value));
    return *this;
  }
  // Sets keyword argument `name`.
  template <class T>
  Args& kwarg(std::string name, const T& value) {
    keyword_[std::move(name)] = pack_one(value);
    return *this;
  }
  // A float or double as msgpack float64 (cb), as Python packs floats and
  // as of() and add() pack every float (rqcpp/sdk/packed_bytes.hpp).
  static std::string float64(double d);
  // Raw msgpack for one value; the bytes must be exactly one msgpack value
  // (DecodeError otherwise).
  Args& add_raw(std::string msgpack_value);
  Args& kwarg_raw(std::string name, std::string msgpack_value);

  // Builds from already encoded containers: `array` a msgpack array,
  // `map` a msgpack map with string keys. Throws DecodeError otherwise.
  static Args from_msgpack(std::string_view array, std::string_view map);

  // Number of positional / keyword arguments.
  size_t size() const { return positional_.size(); }
  size_t kwargs_size() const { return keyword_.size(); }

  // The msgpack array of positional args / map of kwargs.
  std::string args_msgpack() const;
  std::string kwargs_msgpack() const;

 private:
  template <class T>
  static std::string pack_one(const T& value) {
    return sdk_detail::pack_bytes(value);  // floats stay floats, also inside containers
  }

  std::vector<std::string> positional_;
  std::map<std::string, std::string> keyword_;
};

}  // namespace rqcpp
