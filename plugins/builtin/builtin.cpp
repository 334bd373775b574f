// The builtin plugin: small jobs useful in production checks and in tests
// ("builtin:add", "builtin:echo", "builtin:sleep", ...). Each function's doc
// string is what `rqctl plugins` shows.
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <rqcpp/sdk.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace builtin {

std::int64_t add(std::int64_t a, std::int64_t b) {
  std::int64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) {
    throw rqcpp::JobError("OverflowError", "add(): " + std::to_string(a) + " + " +
                                               std::to_string(b) + " does not fit in 64 bits");
  }
  return sum;
}

double add_float(double a, double b) {
  return a + b;
}

// Returns its argument unchanged (re-packed from the job's own buffer, which
// lives until the result is encoded).
msgpack::object echo(msgpack::object value) {
  return value;
}

// Returns the keyword arguments as a dict.
std::map<std::string, msgpack::object> echo_kwargs(const rqcpp::Kwargs& kwargs) {
  std::map<std::string, msgpack::object> out;
  for (const std::string& name : kwargs.names()) out.emplace(name, *kwargs.find(name));
  return out;
}

double sleep(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) {
    throw rqcpp::JobError("ValueError", "sleep(): seconds must be a finite number >= 0");
  }
  // In steps of at most a day: a longer duration<double> (1e308 s) would
  // overflow the nanoseconds sleep_for converts it to and return at once.
  constexpr double kStep = 86400;
  for (double left = seconds; left > 0; left -= kStep) {
    std::this_thread::sleep_for(std::chrono::duration<double>(std::min(left, kStep)));
  }
  return seconds;
}

void fail(const std::optional<std::string>& message) {
  throw rqcpp::JobError("ValueError", message.value_or("builtin:fail was called"));
}

// Dies the way `kind` says, without unwinding: "segv" (SIGSEGV with the
// default action), "abort" (abort(), SIGABRT) or "exit" (_exit(3) without
// reporting a result).
void crash(const std::string& kind) {
  if (kind == "segv") {
    std::signal(SIGSEGV, SIG_DFL);
    std::raise(SIGSEGV);
  } else if (kind == "abort") {
    std::abort();
  } else if (kind == "exit") {
    ::_exit(3);
  } else {
    throw rqcpp::JobError("ValueError",
                          "crash(): kind must be 'segv', 'abort' or 'exit', got '" + kind + "'");
  }
  throw rqcpp::JobError("RuntimeError", "crash(): still alive after '" + kind + "'");
}

void noop() {}

// The pid of the process running the job (the worker's work horse).
std::int64_t pid() {
  return static_cast<std::int64_t>(::getpid());
}

// Set when the plugin is loaded: by the worker process once it adopted the
// plugin (its horses inherit it), else by the horse that loads it.
const std::int64_t loaded_by = static_cast<std::int64_t>(::getpid());

// The pid of the process that loaded this plugin.
std::int64_t loader_pid() {
  return loaded_by;
}

// Allocates `mb` MiB and writes to every page, so the memory is really
// resident, then frees it. Returns mb.
std::int64_t allocate(std::int64_t mb) {
  constexpr std::int64_t kMaxMb = 1 << 20;  // 1 TiB: anything above is a typo
  if (mb < 0 || mb > kMaxMb) {
    throw rqcpp::JobError("ValueError",
                          "allocate(): mb must be in [0, " + std::to_string(kMaxMb) + "]");
  }
  const std::size_t bytes = static_cast<std::size_t>(mb) << 20;
  std::unique_ptr<char[]> block(new char[bytes > 0 ? bytes : 1]);
  const long page = ::sysconf(_SC_PAGESIZE);
  const std::size_t step = page > 0 ? static_cast<std::size_t>(page) : 4096;
  volatile char* p = block.get();
  for (std::size_t i = 0; i < bytes; i += step) p[i] = static_cast<char>(i);
  return mb;
}

// Spins on the CPU until this process has used `seconds` more of CPU time
// (user + system), then returns seconds. For CPU-limit checks.
double burn_cpu(double seconds) {
  constexpr double kMaxSeconds = 86400;
  if (!std::isfinite(seconds) || seconds < 0 || seconds > kMaxSeconds) {
    throw rqcpp::JobError("ValueError", "burn_cpu(): seconds must be a number in [0, 86400]");
  }
  auto cpu_now = [] {
    timespec t{};
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
  };
  const double until = cpu_now() + seconds;
  volatile std::uint64_t spin = 0;
  while (cpu_now() < until) {
    for (int i = 0; i < 100000; ++i) spin = spin + 1;
  }
  return seconds;
}

// Opens /dev/null up to `n` times, keeping each open, until one open fails;
// closes them all and returns how many it could open. For open-files-limit
// checks.
std::int64_t open_files(std::int64_t n) {
  constexpr std::int64_t kMaxFiles = 1 << 20;
  if (n < 0 || n > kMaxFiles) {
    throw rqcpp::JobError("ValueError",
                          "open_files(): n must be in [0, " + std::to_string(kMaxFiles) + "]");
  }
  std::vector<int> fds;
  while (static_cast<std::int64_t>(fds.size()) < n) {
    const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd < 0) break;
    fds.push_back(fd);
  }
  for (int fd : fds) ::close(fd);
  return static_cast<std::int64_t>(fds.size());
}

// Sets meta["progress"] = 1..steps, saving meta to Redis after each step and
// waiting `interval` seconds (default 0) between steps. Returns steps.
std::int64_t progress(std::int64_t steps, std::optional<double> interval) {
  if (steps < 0) throw rqcpp::JobError("ValueError", "progress(): steps must be >= 0");
  const double wait = interval.value_or(0.0);
  if (!std::isfinite(wait) || wait < 0) {
    throw rqcpp::JobError("ValueError", "progress(): interval must be a finite number >= 0");
  }
  rqcpp::JobContext& job = rqcpp::current_job();
  for (std::int64_t i = 1; i <= steps; ++i) {
    job.set_meta("progress", i);
    job.save_meta();
    if (wait > 0 && i < steps) std::this_thread::sleep_for(std::chrono::duration<double>(wait));
  }
  return steps;
}

// What the job knows about itself: {"id", "origin", "func_name"}.
std::map<std::string, std::string> job_info() {
  const rqcpp::JobContext& job = rqcpp::current_job();
  return {{"id", std::string(job.id())},
          {"origin", std::string(job.origin())},
          {"func_name", std::string(job.func_name())}};
}

// Counts its attempts by appending a line to the file at `path`; fails with
// RuntimeError until the attempt number reaches `succeed_on_attempt`, then
// returns that number. For retry tests and checks.
std::int64_t flaky(const std::string& path, std::int64_t succeed_on_attempt) {
  std::int64_t attempt = 1;
  {
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) ++attempt;
  }
  std::ofstream out(path, std::ios::app);
  if (!out) throw rqcpp::JobError("OSError", "flaky(): cannot append to '" + path + "'");
  out << attempt << "\n";
  out.close();
  if (attempt < succeed_on_attempt) {
    throw rqcpp::JobError("RuntimeError", "flaky(): attempt " + std::to_string(attempt) + " of " +
                                              std::to_string(succeed_on_attempt));
  }
  return attempt;
}

// A job callback for checks (on_success / on_failure / on_stopped): appends
// one line to the file named by the job's meta["callback_file"]: the job id,
// then each further argument as msgpack text, space separated.
void record_callback(const std::string& job_id, std::optional<msgpack::object> second,
                     std::optional<msgpack::object> third) {
  // meta['callback_sleep'] makes the callback hang first, to test callback timeouts.
  if (auto pause = rqcpp::current_job().get_meta<double>("callback_sleep")) {
    std::this_thread::sleep_for(std::chrono::duration<double>(*pause));
  }
  auto path = rqcpp::current_job().get_meta<std::string>("callback_file");
  if (!path) throw rqcpp::JobError("KeyError", "record_callback(): no meta['callback_file']");
  std::ostringstream line;
  line << job_id;
  if (second) line << ' ' << *second;
  if (third) line << ' ' << *third;
  std::ofstream out(*path, std::ios::app);
  if (!out) throw rqcpp::JobError("OSError", "record_callback(): cannot append to " + *path);
  out << line.str() << "\n";
}

}  // namespace builtin

RQCPP_JOB(builtin::add, "Adds two 64-bit integers (OverflowError when the sum does not fit)");
RQCPP_JOB(builtin::add_float, "Adds two floats");
RQCPP_JOB(builtin::echo, "Returns its one argument unchanged (any value)");
RQCPP_JOB(builtin::echo_kwargs, "Returns its keyword arguments as a dict");
RQCPP_JOB(builtin::sleep, "Sleeps for `seconds` (float), then returns it");
RQCPP_JOB(builtin::fail, "Fails with ValueError(message)");
RQCPP_JOB(builtin::crash, "Kills the work horse: kind 'segv', 'abort' or 'exit'");
RQCPP_JOB(builtin::noop, "Does nothing, returns None");
RQCPP_JOB_NAMED("getpid", builtin::pid, "Returns the pid of the work horse running the job");
RQCPP_JOB(builtin::loader_pid,
          "Returns the pid of the process that loaded this plugin (the worker once a horse "
          "has tried it)");
RQCPP_JOB(builtin::allocate, "Allocates and touches `mb` MiB, frees it, returns mb");
RQCPP_JOB(builtin::burn_cpu, "Spins until it used `seconds` (float) of CPU time, returns it");
RQCPP_JOB(builtin::open_files,
          "Opens /dev/null up to `n` times until an open fails, closes them, returns the count");
RQCPP_JOB(builtin::progress,
          "Sets meta['progress'] to 1..steps, saving meta each step; optional interval seconds");
RQCPP_JOB(builtin::flaky,
          "Appends a line to file `path`; fails until attempt `succeed_on_attempt`, then "
          "returns the attempt number");
RQCPP_JOB(builtin::record_callback,
          "Job callback: appends 'job_id [arg] [arg]' to the file in meta['callback_file'] "
          "(after sleeping meta['callback_sleep'] seconds, if set)");
RQCPP_JOB(builtin::job_info, "Returns the job's id, origin and func_name");

RQCPP_PLUGIN("builtin", BUILTIN_PLUGIN_VERSION);
