# rqcpp_add_plugin(): builds a job plugin the way rqworker expects it.
#
#   rqcpp_add_plugin(<target> SOURCES <src>...
#                    [LIBNAME <libname>]            # default: <target>
#                    [OUTPUT_DIRECTORY <dir>]       # where lib<libname>.so goes
#                    [EXPORT_SYMBOLS <symbol>...])  # exported besides the manifest
#
# Makes a MODULE library lib<libname>.so linked to rqcpp::sdk, compiled with
# hidden visibility and linked with a version script, so that the only
# dynamic symbol it exports is rqcpp_plugin_manifest (plus EXPORT_SYMBOLS):
# no C++ template or inline symbol of the plugin can interpose on another
# plugin's or the worker's. It is linked with -z defs, so a missing symbol is
# a link error, not a failed job at run time.
#
# Used in the rqcpp tree and installed with the package (find_package(rqcpp)
# provides it).
include_guard(GLOBAL)

function(rqcpp_add_plugin target)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "LIBNAME;OUTPUT_DIRECTORY" "SOURCES;EXPORT_SYMBOLS")
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "rqcpp_add_plugin(${target}): SOURCES is required")
  endif()
  if(NOT ARG_LIBNAME)
    set(ARG_LIBNAME ${target})
  endif()
  if(NOT ARG_LIBNAME MATCHES "^[A-Za-z0-9_.-]+$")
    message(FATAL_ERROR "rqcpp_add_plugin(${target}): LIBNAME must match [A-Za-z0-9_.-]+")
  endif()

  add_library(${target} MODULE ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE rqcpp::sdk)
  set_target_properties(${target} PROPERTIES
    PREFIX "lib"
    OUTPUT_NAME ${ARG_LIBNAME}
    CXX_VISIBILITY_PRESET hidden
    C_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(ARG_OUTPUT_DIRECTORY)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${ARG_OUTPUT_DIRECTORY})
  endif()

  set(exported "rqcpp_plugin_manifest;")
  foreach(symbol IN LISTS ARG_EXPORT_SYMBOLS)
    string(APPEND exported " ${symbol};")
  endforeach()
  set(map ${CMAKE_CURRENT_BINARY_DIR}/${target}.exports.map)
  file(CONFIGURE OUTPUT ${map} CONTENT "{\n  global: ${exported}\n  local: *;\n};\n")
  target_link_options(${target} PRIVATE "LINKER:--version-script=${map}" "LINKER:-z,defs")
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS ${map})
endfunction()
