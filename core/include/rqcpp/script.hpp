// A Redis Lua script shipped with rqcpp.
//
// Script sources live in core/scripts/*.lua and are compiled into the library
// (see core/CMakeLists.txt; core/src/script_call.hpp composes them). A Script
// is immutable once built, so one `static const Script` may be used by any
// number of threads at once: the SHA Redis knows it by is cached by each
// Connection (Connection::load), not by the Script.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <utility>

namespace rqcpp {

class Script {
 public:
  Script(std::string name, std::string source)
      : name_(std::move(name)), source_(std::move(source)), id_(next_id()) {}

  const std::string& name() const { return name_; }
  const std::string& source() const { return source_; }
  // Unique per constructed Script (copies share it, as they share the
  // source): the key of a Connection's SHA cache, never reused.
  std::uint64_t id() const { return id_; }

 private:
  static std::uint64_t next_id() {
    static std::atomic<std::uint64_t> counter{0};
    return ++counter;
  }
  std::string name_;
  std::string source_;
  std::uint64_t id_;
};

}  // namespace rqcpp
