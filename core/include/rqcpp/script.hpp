// A Redis Lua script shipped with rqcpp.
//
// Script sources live in core/scripts/*.lua and are compiled into the library
// (see core/CMakeLists.txt); this type only carries them. A script may be
// assembled from several fragments (shared Lua helpers first) so that fused
// scripts reuse the same code.
#pragma once

#include <string>
#include <string_view>

namespace rqcpp {

class Script {
 public:
  Script(std::string name, std::string source)
      : name_(std::move(name)), source_(std::move(source)) {}

  const std::string& name() const { return name_; }
  const std::string& source() const { return source_; }
  // SHA1 as returned by SCRIPT LOAD; empty until Connection::load() ran once.
  const std::string& sha() const { return sha_; }
  void set_sha(std::string sha) const { sha_ = std::move(sha); }

 private:
  std::string name_;
  std::string source_;
  mutable std::string sha_;
};

}  // namespace rqcpp
