// Args: positional and keyword arguments kept as msgpack bytes.
#include "rqcpp/args.hpp"

#include "msgpack_items.hpp"

namespace rqcpp {

std::string Args::float64(double d) {
  std::string out;
  sdk_detail::append_float64(out, d);
  return out;
}

Args& Args::add_raw(std::string msgpack_value) {
  detail::check_single_value(msgpack_value, "argument");
  positional_.push_back(std::move(msgpack_value));
  return *this;
}

Args& Args::kwarg_raw(std::string name, std::string msgpack_value) {
  detail::check_single_value(msgpack_value, "keyword argument");
  keyword_[std::move(name)] = std::move(msgpack_value);
  return *this;
}

Args Args::from_msgpack(std::string_view array, std::string_view map) {
  Args a;
  for (auto item : detail::array_items(array, "args")) a.positional_.emplace_back(item);
  for (auto& [key, value] : detail::map_items(map, "kwargs")) a.keyword_[key] = std::string(value);
  return a;
}

std::string Args::args_msgpack() const {
  std::string out;
  detail::append_array_header(out, positional_.size());
  for (const auto& v : positional_) out += v;
  return out;
}

std::string Args::kwargs_msgpack() const {
  std::string out;
  detail::append_map_header(out, keyword_.size());
  for (const auto& [key, value] : keyword_) {
    detail::append_str(out, key);
    out += value;
  }
  return out;
}

}  // namespace rqcpp
