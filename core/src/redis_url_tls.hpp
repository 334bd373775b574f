// The TLS part of a Redis URL: redis-py's ssl_* query parameters of a
// rediss:// URL, parsed and written back (redis_url.cpp calls these).
#pragma once

#include <string>
#include <string_view>

#include "rqcpp/redis_url.hpp"

namespace rqcpp::detail {

// Applies one query parameter (value already percent-decoded) when it is one
// of TlsOptions' ssl_* names and returns true; false for any other name.
// Throws std::invalid_argument with a message naming the parameter for a
// value it does not take.
bool apply_tls_parameter(std::string_view name, const std::string& value, TlsOptions& tls);

// "&ssl_...=..." for every option that differs from its default (values
// percent-encoded), "" when none does.
std::string tls_query(const TlsOptions& tls);

}  // namespace rqcpp::detail
