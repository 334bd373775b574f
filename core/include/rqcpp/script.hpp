// A Redis Lua script: either a plain script (EVALSHA) or one function of a
// Redis function library (FCALL; Redis 7.0 or newer).
//
// rqcpp's own scripts live in core/scripts/*.lua and are compiled into the
// library as ONE function library (core/src/script_call.hpp composes it),
// so the helpers every script shares are defined once when Redis loads the
// library, not again on every call as an EVAL script's would be. A Script is
// immutable once built, so one `static const Script` may be used by any
// number of threads at once: what a server has loaded is cached by each
// Connection (Connection::load), not by the Script.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

namespace rqcpp {

// The whole source of a Redis function library, starting with its
// "#!lua name=<library>" line. Immutable; shared by the Scripts naming its
// functions.
class FunctionLibrary {
 public:
  explicit FunctionLibrary(std::string source) : source_(std::move(source)), id_(next_id()) {}

  const std::string& source() const { return source_; }
  // Unique per constructed FunctionLibrary or plain Script, never reused:
  // the key of a Connection's cache of what it loaded.
  std::uint64_t id() const { return id_; }

  static std::uint64_t next_id() {
    static std::atomic<std::uint64_t> counter{0};
    return ++counter;
  }

 private:
  std::string source_;
  std::uint64_t id_;
};

class Script {
 public:
  // A plain script run with EVALSHA, loaded with SCRIPT LOAD.
  Script(std::string name, std::string source)
      : name_(std::move(name)),
        library_(std::make_shared<const FunctionLibrary>(std::move(source))) {}
  // Function `function` of `library`, run with FCALL; the library is loaded
  // with FUNCTION LOAD. `library` must not be null.
  Script(std::string name, std::string function, std::shared_ptr<const FunctionLibrary> library)
      : name_(std::move(name)), function_(std::move(function)), library_(std::move(library)) {}

  // The name errors use ("script <name>: ...").
  const std::string& name() const { return name_; }
  // The registered function name; empty for a plain script.
  const std::string& function() const { return function_; }
  bool is_function() const { return !function_.empty(); }
  // What is loaded: the script's source, or its library's whole source.
  const std::string& source() const { return library_->source(); }
  // What a Connection caches as loaded: unique per plain script, shared by
  // the functions of one library (one FUNCTION LOAD serves them all).
  std::uint64_t id() const { return library_->id(); }

 private:
  std::string name_;
  std::string function_;
  std::shared_ptr<const FunctionLibrary> library_;
};

}  // namespace rqcpp
