// Internal: Python's text forms of values, shared by python_repr (job
// descriptions) and the JSON writer (json.dumps output).
#pragma once

#include <string>

namespace rqcpp::detail {

// repr(float) of Python 3: shortest round-trip digits, "2.5", "1.0",
// "1e+16", "1e-05", "inf", "nan".
std::string python_float_repr(double d);

}  // namespace rqcpp::detail
