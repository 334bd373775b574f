// Random identifiers in RQ's forms: job ids are str(uuid4()) (36 chars with
// dashes), worker names uuid4().hex (32 hex digits).
#pragma once

#include <string>

namespace rqcpp {

// A random (version 4) UUID, e.g. "1b4e28ba-2fa1-41d2-883f-0016d3cca427".
// Safe across fork(): a forked child never repeats its parent's ids.
std::string uuid4();
// The same without dashes, e.g. "1b4e28ba2fa141d2883f0016d3cca427".
std::string uuid4_hex();

}  // namespace rqcpp
