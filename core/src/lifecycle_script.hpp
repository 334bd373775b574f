// Internal: running the job life-cycle scripts (core/scripts/*.lua that
// start with lifecycle_lib.lua): the shared prelude is prepended to the body
// and the key layout is passed in front of the body's own arguments.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "rqcpp/connection.hpp"
#include "rqcpp/script.hpp"

namespace rqcpp::detail {

// lifecycle_lib.lua followed by `body`, as one Script called `name`.
Script lifecycle_script(std::string name, std::string_view body);

// Runs `script` (from lifecycle_script) with no KEYS and ARGV = the key layout
// (see lifecycle_lib.lua) followed by `args`. One round trip once loaded.
// Throws RedisError (also for a Redis error reply).
Reply eval_lifecycle(Connection& conn, const Script& script, const std::vector<std::string>& args);

}  // namespace rqcpp::detail
