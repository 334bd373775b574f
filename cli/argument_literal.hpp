// rqctl's argument literals: how command-line text becomes one msgpack value
// (rqctl enqueue ARG, --kwarg K=V, --meta). Kept apart from the enqueue command
// so the fuzz target tests/fuzz/rqctl_literal_fuzz.cpp can call it directly.
#pragma once

#include <string>
#include <string_view>

namespace rqctl {

// Rule (README, rqctl enqueue --help): text that parses as one JSON value is
// that value (3, "x", [1,2], {"a":1}, true, null, -2.5); anything else is the
// text itself as a string. So `'"3"'` is the string "3" and `hello` is "hello".
// Parsing is nlohmann-json's; the msgpack encoding is core's json_to_msgpack,
// so rqctl writes exactly what the core API writes.
//
// Returns the msgpack bytes of exactly one value. Throws UsageError when the
// text is neither JSON nor valid UTF-8 (msgpack str must be UTF-8 for Python
// RQ's readers), or its JSON cannot be encoded (too deep, integer beyond 64 bits).
std::string argument_to_msgpack(std::string_view text);

// msgpack bytes of a JSON object (for --meta). Throws UsageError naming
// `option` when `text` is not a JSON object or cannot be encoded.
std::string json_object_to_msgpack(std::string_view text, std::string_view option);

}  // namespace rqctl
