// The one rule for naming a job function: "libname:function". Producers
// (Queue::enqueue_call, JobFunction, the callback options), rqctl, the
// worker's plugin loader and the SDK's RQCPP_JOB all check names with this
// header, so a name one of them accepts is accepted by all. Header-only: a
// plugin uses it without linking rqcpp's core library.
//
// Accepted strings: LIBNAME ":" FUNCTION, split at the one ':', where
//   LIBNAME  is 1 to 249 characters of [A-Za-z0-9_.-] and is not "." or "..".
//            It becomes the file name lib<LIBNAME>.so (or <LIBNAME>.so) in the
//            worker's plugin directory, so it must be one safe file-name
//            component: no '/', no NUL, no whitespace, not a "." or ".."
//            directory entry, and short enough that lib<LIBNAME>.so fits in
//            the 255 bytes of a Linux file name.
//   FUNCTION is 1 or more characters of [A-Za-z0-9_.-]. It is the name a
//            plugin's manifest lists (an identifier for RQCPP_JOB, any such
//            name for RQCPP_JOB_NAMED); the alphabet keeps it free of ':' so
//            that parse(to_string()) gives back the same reference, and free of
//            quotes and spaces so it prints unchanged in job descriptions,
//            logs and rqctl output.
// Rejected: everything else, e.g. "", "add" (no ':'), ":f", "lib:",
// "a:b:c", "../x:f", "a/b:f", ".:f", "lib:f(x)", "lib: f", "lib:ünï".
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace rqcpp {

// A parsed "libname:function". Plain value type; holds copies of the parts.
struct FunctionRef {
  // lib<libname>.so must fit in a 255-byte file name.
  static constexpr std::size_t kMaxLibnameLength = 255 - 6;

  std::string libname;
  std::string function;

  // True when `c` may appear in a libname or a function name.
  static constexpr bool is_name_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  }
  static constexpr bool all_name_chars(std::string_view s) {
    for (char c : s) {
      if (!is_name_char(c)) return false;
    }
    return true;
  }

  // True when `libname` is valid as the part before ':' (see the top).
  static constexpr bool is_valid_libname(std::string_view libname) {
    return !libname.empty() && libname.size() <= kMaxLibnameLength && libname != "." &&
           libname != ".." && all_name_chars(libname);
  }

  // True when `function` is valid as the part after ':' (see the top).
  static constexpr bool is_valid_function(std::string_view function) {
    return !function.empty() && all_name_chars(function);
  }

  // Why `text` is not a valid "libname:function", or "" when it is. The
  // reason is one line naming the string, e.g. "invalid plugin name '../x'
  // in '../x:f' (...)"; callers throw it as their own error type.
  static std::string problem(std::string_view text) {
    const std::size_t colon = text.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) {
      return "invalid function name '" + std::string(text) + "' (expected libname:function)";
    }
    const std::string_view lib = text.substr(0, colon), fn = text.substr(colon + 1);
    if (!is_valid_libname(lib)) {
      return "invalid plugin name '" + std::string(lib) + "' in '" + std::string(text) +
             "' (allowed: 1 to " + std::to_string(kMaxLibnameLength) +
             " of [A-Za-z0-9_.-], not '.' or '..')";
    }
    if (!is_valid_function(fn)) {
      return "invalid function name '" + std::string(fn) + "' in '" + std::string(text) +
             "' (allowed: [A-Za-z0-9_.-]+)";
    }
    return {};
  }

  // True when `text` is a valid "libname:function".
  static constexpr bool is_valid(std::string_view text) {
    const std::size_t colon = text.find(':');
    return colon != std::string_view::npos && is_valid_libname(text.substr(0, colon)) &&
           is_valid_function(text.substr(colon + 1));
  }

  // The reference `text` names. Throws std::invalid_argument(problem(text))
  // when it is not valid.
  static FunctionRef parse(std::string_view text) {
    if (std::string err = problem(text); !err.empty()) throw std::invalid_argument(err);
    const std::size_t colon = text.find(':');
    return FunctionRef{std::string(text.substr(0, colon)), std::string(text.substr(colon + 1))};
  }

  // "libname:function", the form parse() reads.
  std::string to_string() const { return libname + ":" + function; }

  friend bool operator==(const FunctionRef&, const FunctionRef&) = default;
};

}  // namespace rqcpp
