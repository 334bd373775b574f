// Applying and naming a horse's resource limits; see horse_limits.hpp.
#include "worker/horse_limits.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>

#include "rqcpp/byte_size.hpp"
#include "rqcpp/error.hpp"

namespace rqcpp {

namespace {

// The descriptors a horse holds while its job runs (stdin, stdout, stderr and
// the result pipe at ChildProcess::kOutFd): a job's open_files come on top.
constexpr long long kHorseFds = ChildProcess::kOutFd + 1;
// Seconds between SIGXCPU (soft limit) and SIGKILL (hard limit), for a job
// that ignores or handles SIGXCPU.
constexpr rlim_t kCpuKillAfter = 1;

// The end of a horse over its CPU limit: the default action of SIGXCPU, but
// without a core dump (an expected kill, not a crash worth a core file).
// Only async-signal-safe calls (setrlimit is a plain system call).
void on_cpu_limit(int sig) {
  const rlimit no_core{0, 0};
  setrlimit(RLIMIT_CORE, &no_core);
  signal(sig, SIG_DFL);
  raise(sig);
}

// Bytes of address space this process maps now (/proc/self/statm, first
// field, in pages), or nullopt when it cannot be read.
std::optional<std::uint64_t> mapped_bytes() {
  const int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  char buf[128] = {};
  const ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return std::nullopt;
  const unsigned long long pages = std::strtoull(buf, nullptr, 10);
  const long page = sysconf(_SC_PAGESIZE);
  return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page > 0 ? page : 4096);
}

// Lowers `resource` to `soft`/`hard`, never above the hard limit in force.
std::string lower_limit(int resource, const char* name, rlim_t soft, rlim_t hard) {
  rlimit now{};
  if (getrlimit(resource, &now) != 0) now.rlim_max = RLIM_INFINITY;
  if (now.rlim_max != RLIM_INFINITY) {
    hard = std::min(hard, now.rlim_max);
    soft = std::min(soft, hard);
  }
  const rlimit want{soft, hard};
  if (setrlimit(resource, &want) != 0) {
    return std::string("cannot set ") + name + ": " + std::strerror(errno);
  }
  return "";
}

rlim_t saturating_add(std::uint64_t a, std::uint64_t b) {
  const std::uint64_t sum = a + b;
  return sum < a || sum >= RLIM_INFINITY ? RLIM_INFINITY - 1 : static_cast<rlim_t>(sum);
}

// "rqworker --job-memory-limit" when the horse had the worker's limit, else
// the job's meta, which lowered it.
template <class T>
std::string source(T effective, T worker, const char* option, const char* key) {
  if (effective == worker) return std::string("rqworker ") + option;
  return std::string("the job's meta['rqcpp_limits']['") + key + "']";
}

bool is_allocation_failure(const CallOutcome& o) {
  return o.exc_type == "std::bad_alloc" || o.exc_type == "MemoryError" ||
         (o.exc_type == "RuntimeError" &&
          o.exc_message.find("std::bad_alloc") != std::string::npos);
}

}  // namespace

std::optional<CallOutcome> set_call_limits(PluginCall& call, const JobLimits& worker,
                                           bool in_process) {
  // Also what a callback of a job refused here runs under.
  call.limits = worker;
  JobLimits asked;
  try {
    asked = job_limits_from_meta(call.meta);
  } catch (const std::invalid_argument& e) {
    return CallOutcome::failure("ValueError", e.what());
  } catch (const DecodeError& e) {
    return CallOutcome::failure("ValueError", e.what());
  }
  if (asked.any() && in_process) {
    return CallOutcome::failure(
        "RuntimeError",
        "meta['rqcpp_limits'] cannot be applied: this worker runs jobs in its own process "
        "(--worker-class simple); run the job on a forking worker");
  }
  if (asked.memory_bytes != 0 && !kJobMemoryLimitSupported) {
    return CallOutcome::failure(
        "RuntimeError",
        "meta['rqcpp_limits']['memory'] cannot be applied: this rqworker is a sanitizer build, "
        "whose address space cannot be limited");
  }
  call.limits = effective_job_limits(worker, asked);
  return std::nullopt;
}

std::string apply_horse_limits(const JobLimits& limits) {
  std::string error;
  if (limits.cpu.count() > 0) {
    struct sigaction sa {};
    sa.sa_handler = on_cpu_limit;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGXCPU, &sa, nullptr);
    const auto soft = static_cast<rlim_t>(limits.cpu.count());
    error = lower_limit(RLIMIT_CPU, "the CPU time limit", soft, soft + kCpuKillAfter);
  }
  if (error.empty() && limits.memory_bytes > 0) {
    // The limit counts on top of what is mapped: without that figure, a
    // bare limit could sit below it and fail every job.
    if (const auto mapped = mapped_bytes()) {
      const rlim_t as = saturating_add(*mapped, limits.memory_bytes);
      error = lower_limit(RLIMIT_AS, "the memory limit", as, as);
    } else {
      error = "cannot set the memory limit: /proc/self/statm is not readable";
    }
  }
  if (error.empty() && limits.open_files > 0) {
    // RLIMIT_NOFILE bounds descriptor numbers: one of the horse's own that
    // is closed (no stdin) is a number the job gets, so it counts against N.
    long long held = 0;
    for (int fd = 0; fd < kHorseFds; ++fd) held += fcntl(fd, F_GETFD) != -1 ? 1 : 0;
    const rlim_t n = saturating_add(static_cast<std::uint64_t>(limits.open_files),
                                    static_cast<std::uint64_t>(held));
    error = lower_limit(RLIMIT_NOFILE, "the open-files limit", n, n);
  }
  return error;
}

CallOutcome name_limit_failure(CallOutcome outcome, const JobLimits& limits,
                               const JobLimits& worker, const ChildProcess& horse) {
  if (outcome.ok) return outcome;
  const std::string memory =
      limits.memory_bytes == 0
          ? std::string()
          : "its memory limit of " + format_byte_size(limits.memory_bytes) + " (" +
                source(limits.memory_bytes, worker.memory_bytes, "--job-memory-limit", "memory") +
                ")";
  if (!memory.empty() && is_allocation_failure(outcome)) {
    return CallOutcome::failure(
        "JobMemoryLimitExceeded",
        "the job crossed " + memory + ": " + outcome.exc_type + ": " + outcome.exc_message);
  }
  const bool died = outcome.exc_type.empty() && horse.reaped() && WIFSIGNALED(horse.wait_status());
  if (!died) return outcome;
  const int sig = WTERMSIG(horse.wait_status());
  const auto cpu = limits.cpu;
  if (cpu.count() > 0 && (sig == SIGXCPU || (sig == SIGKILL && horse.cpu_time() >= cpu))) {
    std::string death = outcome.exc_message;
    while (!death.empty() && (death.back() == ' ' || death.back() == ';')) death.pop_back();
    return CallOutcome::failure(
        "JobCpuLimitExceeded",
        "the job used up its CPU time limit of " + std::to_string(cpu.count()) + " s (" +
            source(cpu, worker.cpu, "--job-cpu-limit", "cpu") + "): " + death);
  }
  if (!memory.empty()) {
    outcome.exc_message += "the job ran under " + memory +
                           ", and a failed allocation can end a "
                           "work horse this way";
  }
  return outcome;
}

}  // namespace rqcpp
