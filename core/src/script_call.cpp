// Composing the function library (KEY_TEMPLATES + preamble + one function
// per script) and encoding the scripts' named arguments; see
// script_call.hpp for the convention.
#include "script_call.hpp"

#include <zlib.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "msgpack_items.hpp"
#include "rqcpp/keys.hpp"
#include "rqcpp_lua_sources.hpp"

namespace rqcpp::detail {
namespace {

// A Lua long-bracket literal: no escaping, and key names never hold "]=]".
std::string lua_literal(std::string_view s) {
  if (s.find("]=]") != std::string_view::npos) {
    throw std::logic_error("key template holds ]=]: " + std::string(s));
  }
  return "[=[" + std::string(s) + "]=]";
}

const std::string& key_templates_lua() {
  static const std::string text = [] {
    std::string t = "local KEY_TEMPLATES = {";
    for (const auto& k : keys::templates()) {
      t += std::string(k.family) + " = {" + lua_literal(k.prefix) + ", " + lua_literal(k.suffix) +
           "}, ";
    }
    t += "}\n";
    return t;
  }();
  return text;
}

void append_be(std::string& out, std::uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

// A 64-bit fingerprint of the library's text (two zlib checksums): it names
// the library, so builds whose scripts differ load side by side on one
// Redis instead of replacing each other's functions.
std::string fingerprint(const std::string& text) {
  const auto* data = reinterpret_cast<const Bytef*>(text.data());
  const auto size = static_cast<uInt>(text.size());
  char hex[17];
  std::snprintf(hex, sizeof hex, "%08lx%08lx", crc32(0L, data, size), adler32(1L, data, size));
  return hex;
}

struct Library {
  std::string name;
  std::shared_ptr<const FunctionLibrary> library;
};

const Library& library() {
  static const Library lib = [] {
    std::string text = key_templates_lua();
    text += lua::preamble;
    for (const auto& [name, body] : lua::scripts) {
      text += "\ndo\n  local function run(KEYS, ARGV)\n    local ARG = begin_call(KEYS, ARGV)\n";
      text += body;
      text += "\n  end\n  redis.register_function(LIB .. '_";
      text += name;
      text += "', run)\nend\n";
    }
    const std::string lib_name = "rqcpp_" + fingerprint(text);
    return Library{lib_name,
                   std::make_shared<const FunctionLibrary>(
                       "#!lua name=" + lib_name + "\nlocal LIB = '" + lib_name + "'\n" + text)};
  }();
  return lib;
}

}  // namespace

Script library_script(std::string_view name) {
  for (const auto& entry : lua::scripts) {
    if (entry.first == name) {
      return Script(std::string(name), library().name + "_" + std::string(name), library().library);
    }
  }
  throw std::logic_error("no script " + std::string(name) + " in core/scripts");
}

// map32 header, its count patched by encoded(): cmsgpack reads any size.
ScriptCall::ScriptCall() : buf_("\xdf\0\0\0\0", 5) {
  buf_.reserve(256);
}

void ScriptCall::name(std::string_view name) {
  if (!name.empty()) {
    append_str(buf_, name);
    ++count_;
  }
}

ScriptCall& ScriptCall::str(std::string_view n, std::string_view value) {
  name(n);
  append_str(buf_, value);
  return *this;
}

ScriptCall& ScriptCall::integer(std::string_view n, long long value) {
  name(n);
  return item(value);
}

ScriptCall& ScriptCall::real(std::string_view n, double value) {
  name(n);
  std::uint64_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  buf_ += '\xcb';
  append_be(buf_, bits, 8);
  return *this;
}

ScriptCall& ScriptCall::flag(std::string_view n, bool value) {
  name(n);
  buf_ += value ? '\xc3' : '\xc2';
  return *this;
}

ScriptCall& ScriptCall::strs(std::string_view n, const std::vector<std::string>& values) {
  list(n, values.size());
  for (const auto& v : values) append_str(buf_, v);
  return *this;
}

ScriptCall& ScriptCall::strs(std::string_view n, const std::vector<std::string_view>& values) {
  list(n, values.size());
  for (auto v : values) append_str(buf_, v);
  return *this;
}

ScriptCall& ScriptCall::list(std::string_view n, size_t size) {
  name(n);
  append_array_header(buf_, size);
  return *this;
}

ScriptCall& ScriptCall::item(std::string_view value) {
  append_str(buf_, value);
  return *this;
}

ScriptCall& ScriptCall::item(long long value) {
  buf_ += '\xd3';
  append_be(buf_, static_cast<std::uint64_t>(value), 8);
  return *this;
}

std::string_view ScriptCall::encoded() {
  for (int i = 0; i < 4; ++i) buf_[1 + i] = static_cast<char>((count_ >> (8 * (3 - i))) & 0xff);
  return buf_;
}

Reply ScriptCall::run(Connection& conn, const Script& script,
                      const std::function<void()>& while_waiting) {
  return conn.eval(script, {}, {encoded()}, while_waiting);
}

void ScriptCall::append(Connection& conn, const Script& script) {
  conn.append_eval(script, {}, {encoded()});
}

}  // namespace rqcpp::detail
