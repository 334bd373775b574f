// Building error messages. SDK internals.
//
// concat() appends parts to one string instead of chaining operator+: with
// g++ 12 at -O3, `"literal" + std::string(...)` raises a false -Wrestrict
// warning inside libstdc++, which would break plugins built with -Werror.
#pragma once

#include <string>
#include <string_view>

#include "rqcpp/sdk/visibility.hpp"

namespace rqcpp {
namespace RQCPP_SDK_HIDDEN sdk_detail {

// The parts (anything convertible to std::string_view) joined.
template <class... Parts>
std::string concat(const Parts&... parts) {
  std::string out;
  (out.append(std::string_view(parts)), ...);
  return out;
}

}  // namespace sdk_detail
}  // namespace rqcpp
