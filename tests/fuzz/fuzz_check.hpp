// What every fuzz target does when a property it asserts does not hold: print
// what and where, then abort, so libFuzzer records the input as a crash (a
// finding), exactly as it does for a sanitizer report.
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond)                                                                    \
  do {                                                                                      \
    if (!(cond)) {                                                                          \
      std::fprintf(stderr, "%s:%d: fuzz property failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                         \
    }                                                                                       \
  } while (0)

// For a catch (...) that should be unreachable: any exception type other than
// the documented ones is a finding.
#define FUZZ_UNEXPECTED_EXCEPTION()                                                       \
  do {                                                                                    \
    std::fprintf(stderr, "%s:%d: undocumented exception escaped the decoder\n", __FILE__, \
                 __LINE__);                                                               \
    std::abort();                                                                         \
  } while (0)
