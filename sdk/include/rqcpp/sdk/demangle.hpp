// Readable C++ type names for error messages ("std::runtime_error", not
// "St13runtime_error"). SDK internals: not part of the plugin author's API.
#pragma once

#include <cxxabi.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <typeinfo>

#include "rqcpp/sdk/visibility.hpp"

namespace rqcpp {
namespace RQCPP_SDK_HIDDEN sdk_detail {

// The demangled form of a mangled type name (typeid(x).name()); the input
// unchanged when it cannot be demangled. Never throws except std::bad_alloc.
inline std::string demangle(const char* mangled) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> out(
      abi::__cxa_demangle(mangled, nullptr, nullptr, &status), std::free);
  return status == 0 && out ? std::string(out.get()) : std::string(mangled);
}

// The demangled name of T (cv and references are dropped, as typeid does).
template <class T>
std::string type_name() {
  return demangle(typeid(T).name());
}

// Inside a catch block: the demangled type of the exception being handled,
// whatever it is (also for `throw 42;`). "unknown" outside a catch block.
inline std::string current_exception_type_name() {
  const std::type_info* t = abi::__cxa_current_exception_type();
  return t ? demangle(t->name()) : std::string("unknown");
}

}  // namespace sdk_detail
}  // namespace rqcpp
