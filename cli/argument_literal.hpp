// Turning command-line text into msgpack job arguments.
//
// Rule (README, rqctl enqueue --help): text that parses as one JSON value is
// that value (3, "x", [1,2], {"a":1}, true, null, -2.5); anything else is the
// text itself as a string. So `'"3"'` is the string "3" and `hello` is "hello".
#pragma once

#include <string>
#include <string_view>

namespace rqctl {

// msgpack bytes of one argument under the rule above. Throws UsageError when
// the text is neither JSON nor valid UTF-8 (msgpack str must be UTF-8 for
// Python RQ's readers).
std::string argument_to_msgpack(std::string_view text);

// msgpack bytes of a JSON object (for --meta). Throws UsageError naming
// `option` when `text` is not a JSON object.
std::string json_object_to_msgpack(std::string_view text, std::string_view option);

}  // namespace rqctl
