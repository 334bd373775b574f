# RQCPP_SANITIZE: builds every target (library, binaries, plugins, tests,
# examples) with the given sanitizers, e.g. -DRQCPP_SANITIZE=address,undefined
# or -DRQCPP_SANITIZE=thread. Empty (the default) builds without.
#
# Included from the top-level CMakeLists.txt before any add_subdirectory(), so
# add_compile_options/add_link_options reach every target of the tree. The
# flags are not part of the installed package: a project using find_package
# builds with its own flags (tests/CMakeLists.txt hands them to the
# out-of-tree test through CXXFLAGS/LDFLAGS).
#
# -fno-sanitize-recover=all makes an UndefinedBehaviorSanitizer report end the
# process, so a report fails the test that caused it instead of scrolling by.
# How reports of spawned rqworker/rqctl processes reach the test run is set up
# in tests/CMakeLists.txt (RQCPP_SANITIZER_LOG_DIR).
#
# RQCPP_FUZZ=ON (clang only: CC=clang CXX=clang++) adds the libFuzzer targets
# of tests/fuzz (docs/fuzzing.md). It implies RQCPP_SANITIZE=address,undefined
# when no sanitizer is set, and compiles every target with
# -fsanitize=fuzzer-no-link too (coverage feedback from the libraries); only
# the fuzz executables link libFuzzer itself (-fsanitize=fuzzer, in
# tests/fuzz/CMakeLists.txt).
include_guard(GLOBAL)

option(RQCPP_FUZZ "Build the libFuzzer targets of tests/fuzz (clang only)" OFF)
if(RQCPP_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "RQCPP_FUZZ needs clang: configure with CC=clang CXX=clang++")
  endif()
  if(NOT RQCPP_SANITIZE)
    set(RQCPP_SANITIZE "address,undefined" CACHE STRING
        "Sanitizers for every target: address,undefined | address | undefined | thread (empty: none)"
        FORCE)
  endif()
endif()

set(RQCPP_SANITIZE "" CACHE STRING
    "Sanitizers for every target: address,undefined | address | undefined | thread (empty: none)")

set(RQCPP_SANITIZE_FLAGS "")
if(RQCPP_SANITIZE)
  string(REPLACE "," ";" _rqcpp_sanitizers "${RQCPP_SANITIZE}")
  foreach(s IN LISTS _rqcpp_sanitizers)
    if(NOT s MATCHES "^(address|undefined|thread)$")
      message(FATAL_ERROR "RQCPP_SANITIZE: unknown sanitizer '${s}' "
                          "(use address, undefined, thread, comma-separated)")
    endif()
  endforeach()
  if("thread" IN_LIST _rqcpp_sanitizers AND "address" IN_LIST _rqcpp_sanitizers)
    message(FATAL_ERROR "RQCPP_SANITIZE: thread and address cannot be combined")
  endif()
  list(APPEND RQCPP_SANITIZE_FLAGS "-fsanitize=${RQCPP_SANITIZE}" -fno-omit-frame-pointer)
  if("undefined" IN_LIST _rqcpp_sanitizers)
    list(APPEND RQCPP_SANITIZE_FLAGS -fno-sanitize-recover=all)
  endif()
  if(RQCPP_FUZZ)
    if("thread" IN_LIST _rqcpp_sanitizers)
      message(FATAL_ERROR "RQCPP_FUZZ: use address and/or undefined, not thread")
    endif()
    list(APPEND RQCPP_SANITIZE_FLAGS -fsanitize=fuzzer-no-link)
  endif()
  add_compile_options(${RQCPP_SANITIZE_FLAGS})
  add_link_options("-fsanitize=${RQCPP_SANITIZE}")
  message(STATUS "rqcpp: sanitizers ${RQCPP_SANITIZE}")
endif()
