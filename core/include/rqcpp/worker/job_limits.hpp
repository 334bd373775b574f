// Per-job resource limits: what a work horse may use of memory (address
// space), CPU time and file descriptors. The worker sets them
// (rqworker --job-memory-limit, --job-cpu-limit, --job-max-open-files) and a
// job may lower them for itself through its meta field `rqcpp_limits`
// (docs/redis-layout.md 2.5); a horse applies the lower of the two with
// setrlimit() before the job's plugin runs.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "rqcpp/defaults.hpp"

namespace rqcpp {

// One set of limits; 0 in a field means no limit.
struct JobLimits {
  // Address space the job may map on top of what its horse (a fork of the
  // worker) already maps when the job starts (RLIMIT_AS). Address space, not
  // resident memory: mapped files and thread stacks count in full.
  std::uint64_t memory_bytes = defaults::kJobMemoryLimitBytes;
  // CPU time of the horse (RLIMIT_CPU): SIGXCPU at this many seconds, SIGKILL
  // one second later if the job ignores SIGXCPU.
  std::chrono::seconds cpu = defaults::kJobCpuLimit;
  // File descriptors the job may open besides the horse's own (stdin, stdout,
  // stderr and its result pipe): RLIMIT_NOFILE is this plus those of the
  // four that are open.
  long long open_files = defaults::kJobMaxOpenFiles;

  bool any() const { return memory_bytes != 0 || cpu.count() != 0 || open_files != 0; }
  bool operator==(const JobLimits&) const = default;
};

// Whether this build can limit a job's address space. False in a build with
// AddressSanitizer or ThreadSanitizer, which reserve terabytes of address
// space up front, so any RLIMIT_AS would fail every allocation.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kJobMemoryLimitSupported = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
inline constexpr bool kJobMemoryLimitSupported = false;
#else
inline constexpr bool kJobMemoryLimitSupported = true;
#endif
#else
inline constexpr bool kJobMemoryLimitSupported = true;
#endif

// The limits a job asks for in its meta (msgpack bytes of the meta map, as
// the worker decoded it): the map under the key "rqcpp_limits", with the
// optional keys "memory" (bytes as an integer, or a size text such as
// "128M", byte_size.hpp), "cpu" (whole seconds as an integer, or a duration
// text such as "90" or "2m") and "open_files" (an integer); each value must
// be above 0. A meta without that key asks for nothing (all fields 0).
// Throws std::invalid_argument with a message naming the offending key when
// `rqcpp_limits` is not a map, has another key, or a value of another type,
// out of range or zero; DecodeError when `meta_msgpack` is not msgpack.
JobLimits job_limits_from_meta(std::string_view meta_msgpack);

// The limits a job runs under: for each field, the lower of the worker's and
// the job's, a 0 (no limit) counting as infinitely high. A job can lower a
// limit of its worker, or set one the worker has not, never raise one.
JobLimits effective_job_limits(const JobLimits& worker, const JobLimits& job);

}  // namespace rqcpp
