// Internal: the one way rqcpp builds and calls its Redis scripts.
//
// Convention (core/scripts/preamble.lua has the Lua side):
//  - a script is core/scripts/<name>.lua, one function of the Redis
//    function library library_script() composes: KEY_TEMPLATES (from
//    keys::templates(), so keys.cpp stays the only place that knows the
//    layout) + preamble.lua, loaded once, then each file as the body of a
//    function; a call runs with FCALL and costs only its own body;
//  - it gets no KEYS and exactly one argument: a msgpack map of named
//    arguments built with ScriptCall, which the script reads as ARG.<name>;
//    keys are built in Lua with key(family, name);
//  - it checks everything that can fail before its first write, and fails
//    with an error reply naming the key, having changed nothing.
//
// Adding a script: write core/scripts/<name>.lua (a header comment listing
// its ARG fields and its reply); the build generates its accessor
// scripts::<name>() (rqcpp_scripts.hpp, from core/embed_lua.cmake), which
// builds it once with library_script. Call it with
// ScriptCall().str(...)...run(conn, scripts::<name>()), and add a test under
// tests/scripts/ that includes a wrong-typed key for each key it writes.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "rqcpp/connection.hpp"
#include "rqcpp/script.hpp"

namespace rqcpp::detail {

// The function of core/scripts/<name>.lua in the library composed as
// described above (named rqcpp_<fingerprint of its text>, so two builds
// with different scripts never replace each other's). Only the generated
// scripts::<name>() accessors call it, each once: the result is immutable
// and safe to share between threads. std::logic_error for an unknown name.
Script library_script(std::string_view name);

// The named arguments of one script call, encoded as they are added (one
// msgpack map). Names are the ARG fields the script's header documents.
// Strings are binary-safe.
class ScriptCall {
 public:
  ScriptCall();

  ScriptCall& str(std::string_view name, std::string_view value);
  ScriptCall& integer(std::string_view name, long long value);
  ScriptCall& real(std::string_view name, double value);
  ScriptCall& flag(std::string_view name, bool value);
  // An array of strings.
  ScriptCall& strs(std::string_view name, const std::vector<std::string>& values);
  ScriptCall& strs(std::string_view name, const std::vector<std::string_view>& values);
  // An array of `n` elements, given by the next n item() calls (or by
  // nested list() calls with an empty name).
  ScriptCall& list(std::string_view name, size_t n);
  ScriptCall& item(std::string_view value);
  ScriptCall& item(long long value);

  // The encoded map (ARGV[1]); valid until the next change.
  std::string_view encoded();

  // FCALL of `script` with this call (Connection::eval: one round trip
  // once loaded; `while_waiting` as there). Throws RedisError, also for the
  // script's error reply ("script <name>: <message>").
  Reply run(Connection& conn, const Script& script,
            const std::function<void()>& while_waiting = nullptr);
  // Appends the FCALL of `script` with this call to `conn`'s pipeline
  // (Connection::append_eval: prepare() the script before the pipeline).
  void append(Connection& conn, const Script& script);

 private:
  void name(std::string_view name);
  std::string buf_;
  std::uint32_t count_ = 0;
};

}  // namespace rqcpp::detail
