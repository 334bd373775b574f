# Writes, from the Lua files in FILES (see core/CMakeLists.txt):
#  - OUT (rqcpp_lua_sources.hpp): one raw-string constant rqcpp::lua::<name>
#    per file, and rqcpp::lua::scripts, every {name, body} but preamble.lua;
#  - OUT_SCRIPTS (.hpp and .cpp): one accessor rqcpp::scripts::<name>() per
#    script, each a function-local static built once by
#    detail::library_script, so no source file repeats that pattern.
set(gen "// Generated from core/scripts/*.lua by core/embed_lua.cmake. Do not edit.\n")
set(body "${gen}#pragma once\n#include <string_view>\n#include <utility>\nnamespace rqcpp::lua {\n")
set(list "inline constexpr std::pair<std::string_view, std::string_view> scripts[] = {\n")
set(decls "${gen}#pragma once\n#include \"rqcpp/script.hpp\"\nnamespace rqcpp::scripts {\n")
set(defs "${gen}#include \"rqcpp_scripts.hpp\"\n#include \"rqcpp_lua_sources.hpp\"\n#include \"script_call.hpp\"\nnamespace rqcpp::scripts {\n")
foreach(f IN LISTS FILES)
  get_filename_component(name ${f} NAME_WE)
  file(READ ${f} src)
  string(APPEND body "inline constexpr std::string_view ${name} = R\"rqlua(${src})rqlua\";\n")
  if(NOT name STREQUAL "preamble")
    string(APPEND list "  {\"${name}\", ${name}},\n")
    string(APPEND decls "// core/scripts/${name}.lua: a function of the library detail::library_script composes.\nconst Script& ${name}();\n")
    string(APPEND defs "const Script& ${name}() {\n  static const Script s = detail::library_script(\"${name}\");\n  return s;\n}\n")
  endif()
endforeach()
string(APPEND body "${list}};\n}  // namespace rqcpp::lua\n")
string(APPEND decls "}  // namespace rqcpp::scripts\n")
string(APPEND defs "}  // namespace rqcpp::scripts\n")

# Only rewrite what changed, so an unchanged script set rebuilds nothing.
function(write_if_changed path content)
  file(WRITE ${path}.tmp "${content}")
  file(COPY_FILE ${path}.tmp ${path} ONLY_IF_DIFFERENT)
endfunction()
write_if_changed(${OUT} "${body}")
write_if_changed(${OUT_SCRIPTS}.hpp "${decls}")
write_if_changed(${OUT_SCRIPTS}.cpp "${defs}")
