// rqworker: option parsing and logging setup over rqcpp::Worker.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/program_options.hpp>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "log_format.hpp"
#include "rqcpp/byte_size.hpp"
#include "rqcpp/defaults.hpp"
#include "rqcpp/error.hpp"
#include "rqcpp/redis_password.hpp"
#include "rqcpp/redis_url.hpp"
#include "rqcpp/timestamp.hpp"
#include "rqcpp/worker/worker.hpp"
#include "worker_pool.hpp"

namespace po = boost::program_options;

namespace {

constexpr int kExitOk = 0;
constexpr int kExitRedis = 1;
constexpr int kExitUsage = 2;
constexpr int kExitNameTaken = 3;

const char* kExitCodes =
    "Exit status:\n"
    "  0  stopped normally: burst run done, or warm/cold shutdown (SIGTERM, SIGINT,\n"
    "     or RQ's 'shutdown' command)\n"
    "  1  Redis unreachable or failing at start, or another runtime error\n"
    "  2  usage error: bad option or value, no queue, malformed Redis URL\n"
    "  3  a live worker with the same --name is already registered\n";

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

bool set_level(std::string level) {
  for (char& c : level) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (level == "warning") level = "warn";
  if (level == "critical") level = "critical";
  spdlog::level::level_enum l = spdlog::level::from_str(level);
  if (l == spdlog::level::off && level != "off") return false;
  spdlog::set_level(l);
  return true;
}

// rqworker's exit code for an error that stopped the worker.
int exit_code_for(const std::exception& e) {
  if (dynamic_cast<const rqcpp::UrlError*>(&e) || dynamic_cast<const std::invalid_argument*>(&e)) {
    return kExitUsage;
  }
  if (dynamic_cast<const rqcpp::WorkerNameTaken*>(&e)) return kExitNameTaken;
  return kExitRedis;  // Redis failing at start, or another runtime error
}

// One worker in this process until it stops; rqworker's exit code.
int run_worker(rqcpp::WorkerOptions opt) {
  try {
    rqcpp::Worker worker(std::move(opt));
    worker.run();
    return kExitOk;
  } catch (const std::exception& e) {
    const bool url = dynamic_cast<const rqcpp::UrlError*>(&e) != nullptr;
    std::cerr << "rqworker: " << (url ? "bad Redis URL: " : "") << e.what() << "\n";
    return exit_code_for(e);
  }
}

}  // namespace

int main(int argc, char** argv) {
  auto logger = spdlog::stderr_color_mt("rqworker");
  logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %v");
  spdlog::set_default_logger(logger);

  rqcpp::WorkerOptions opt;
  std::string level;
  // Every default comes from WorkerOptions, i.e. rqcpp/defaults.hpp.
  long long interval = opt.job_monitoring_interval.count();
  long long maintenance_interval = opt.maintenance_interval.count();
  long long worker_ttl = opt.worker_ttl.count();
  long long heartbeat_grace = opt.heartbeat_grace.count();
  long long callback_timeout = opt.callback_timeout.count();
  std::string worker_class;
  long long max_idle_time = opt.max_idle_time.count();
  int pool_size = 0;
  std::string dequeue_strategy;
  std::string log_format;
  std::string password_file;
  // Defaults shown in --help, in a form parse_byte_size reads back.
  const auto size_text = [](std::uint64_t bytes) { return std::to_string(bytes >> 20) + "M"; };
  std::string max_data_size = size_text(opt.payload_limits.data);
  std::string max_meta_size = size_text(opt.payload_limits.meta);
  std::string max_result_size = size_text(opt.payload_limits.result);
  std::string job_memory_limit = std::to_string(opt.job_limits.memory_bytes);
  std::string job_cpu_limit = std::to_string(opt.job_limits.cpu.count());
  po::options_description visible("Options");
  visible.add_options()("help,h", "show this help and exit")(
      "url,u", po::value<std::string>(&opt.redis_url)->default_value(rqcpp::default_redis_url()),
      ("Redis URL: redis://[user:password@]host:port/db, rediss://... (TLS; "
       "?ssl_ca_certs=FILE&ssl_certfile=FILE&ssl_keyfile=FILE&ssl_cert_reqs=required|optional|none"
       "&ssl_check_hostname=true, as redis-py), unix:///path.sock[?db=N] or "
       "redis+sentinel://[user:password@]host:port[,host:port...]/service[/db]"
       "[?sentinel_password=P] (default: $RQ_REDIS_URL, else " +
       std::string(rqcpp::defaults::kRedisUrl) + ")")
          .c_str())("redis-password-file",
                    po::value<std::string>(&password_file)->value_name("FILE"),
                    "read the Redis password from the first line of FILE instead of the URL (else "
                    "$RQ_REDIS_PASSWORD, if set); a URL given on the command line has its password "
                    "hidden from ps")(
      "plugin-dir,P",
      po::value<std::string>(&opt.plugin_dir)
          ->default_value(env_or("RQCPP_PLUGIN_DIR", std::string(rqcpp::defaults::kPluginDir))),
      ("directory holding job plugins lib<name>.so (default: $RQCPP_PLUGIN_DIR, else " +
       std::string(rqcpp::defaults::kPluginDir) + ")")
          .c_str())("burst,b", po::bool_switch(&opt.burst),
                    "run until the queues are empty, then exit")(
      "allow-world-writable-plugins", po::bool_switch(&opt.allow_world_writable_plugins),
      "load plugins even from a directory or file anyone on the host may write (refused "
      "by default: anyone could run code as the worker's user)")(
      "name,n", po::value<std::string>(&opt.name), "worker name (default: a random uuid4 hex)")(
      "job-monitoring-interval", po::value<long long>(&interval)->default_value(interval),
      "seconds between heartbeats while a job runs (and while idle)")(
      "worker-ttl", po::value<long long>(&worker_ttl)->default_value(worker_ttl),
      "RQ's worker_ttl: an idle worker's key lives this + --heartbeat-grace seconds and is "
      "renewed at least every min(--job-monitoring-interval, worker-ttl/2) seconds; once a "
      "killed worker's key has expired, other workers' maintenance recovers its jobs")(
      "heartbeat-grace", po::value<long long>(&heartbeat_grace)->default_value(heartbeat_grace),
      "rqcpp extension: seconds added to every worker key and job heartbeat TTL (RQ's fixed "
      "value is the default); shorter recovers a dead worker's jobs sooner, but must outlast any "
      "stall of a "
      "live worker")(
      "results-ttl",
      po::value<long long>(&opt.default_result_ttl)->default_value(opt.default_result_ttl),
      "seconds to keep results of jobs that set no result_ttl (-1: forever)")(
      "with-scheduler,s", po::bool_switch(&opt.with_scheduler),
      "also move due scheduled jobs (enqueue_at/enqueue_in, retry intervals) of these queues "
      "into them, under RQ's per-queue scheduler locks")(
      "maintenance-interval",
      po::value<long long>(&maintenance_interval)->default_value(maintenance_interval),
      "seconds between registry maintenance runs (also run at start); the per-queue "
      "rq:clean_registries lock is held for this minus 1 second")(
      "callback-timeout", po::value<long long>(&callback_timeout)->default_value(callback_timeout),
      "seconds a job's on_success/on_failure/on_stopped callback may run")(
      "worker-class", po::value<std::string>(&worker_class)->default_value("fork"),
      "fork: each job in a forked work horse (RQ's Worker); simple: jobs in the worker "
      "process (RQ's SimpleWorker; faster, but a crashing job kills the worker and job "
      "timeouts are not enforced, see docs/hot-path.md)")(
      "pool", po::value<int>(&pool_size)->default_value(0),
      "run N workers (named <name>.1, <name>.2, ...) under a supervisor that replaces one "
      "that dies and on SIGTERM/SIGINT shuts them all down warmly (RQ's worker-pool)")(
      "max-jobs", po::value<long long>(&opt.max_jobs)->default_value(opt.max_jobs),
      "exit (status 0) after running this many jobs; 0: no limit")(
      "max-idle-time", po::value<long long>(&max_idle_time)->default_value(max_idle_time),
      "exit (status 0) after this many seconds without a job; 0: no limit")(
      "dequeue-strategy", po::value<std::string>(&dequeue_strategy)->default_value("default"),
      "default (queues in the order given), round_robin (start after the queue of the last "
      "job) or random (shuffled after each job), as RQ's Worker/RoundRobinWorker/RandomWorker")(
      "max-data-size", po::value<std::string>(&max_data_size)->default_value(max_data_size),
      "largest job data (function name, args and kwargs) taken, inflated; bytes or "
      "with K/M/G: a job over it fails with SizeLimitError without running")(
      "max-meta-size", po::value<std::string>(&max_meta_size)->default_value(max_meta_size),
      "largest job meta taken or set by a job (SizeLimitError)")(
      "max-result-size", po::value<std::string>(&max_result_size)->default_value(max_result_size),
      "largest job result kept: a larger one fails the job with SizeLimitError")(
      "log-format", po::value<std::string>(&log_format)->default_value("text"),
      "text, or json (one JSON object per line: time, level, logger, pid, message)")(
      "job-memory-limit",
      po::value<std::string>(&job_memory_limit)->default_value(job_memory_limit),
      "SIZE (bytes, or 256M, 1G: powers of 1024): address space each job's work horse may map "
      "on top of what it starts with (RLIMIT_AS); a job crossing it fails "
      "JobMemoryLimitExceeded; 0: no limit. Not available in sanitizer builds")(
      "job-cpu-limit", po::value<std::string>(&job_cpu_limit)->default_value(job_cpu_limit),
      "SECONDS (or 90s, 2m): CPU time each job's work horse may use (RLIMIT_CPU); a job "
      "crossing it is killed and fails JobCpuLimitExceeded; 0: no limit")(
      "job-max-open-files",
      po::value<long long>(&opt.job_limits.open_files)->default_value(opt.job_limits.open_files),
      "N: file descriptors each job may open besides its horse's stdin, stdout, stderr and result "
      "pipe (RLIMIT_NOFILE N+4); 0: no limit. A job's meta rqcpp_limits can lower these three "
      "limits for itself, never raise them (README, \"Per-job limits\")")(
      "config,c", po::value<std::string>(),
      "read options from this file too (Boost.Program_options syntax: 'name = value' lines, "
      "'queue = NAME' per queue, '#' comments); the command line wins")(
      "logging-level,l", po::value<std::string>(&level)->default_value("info"),
      "trace, debug, info, warning, error, critical or off");
  po::options_description hidden;
  hidden.add_options()("queue", po::value<std::vector<std::string>>(&opt.queues), "queues");
  po::options_description all;
  all.add(visible).add(hidden);
  po::positional_options_description pos;
  pos.add("queue", -1);

  auto usage = [&](std::ostream& out) {
    out << "Usage: rqworker [options] QUEUE...\n\n"
           "Runs jobs from the given queues (highest priority first) in forked work horses,\n"
           "sharing Redis with Python RQ 1.x. SIGTERM/SIGINT: warm shutdown (the running job\n"
           "finishes); a second one: cold shutdown (the running job is killed and fails).\n\n"
        << visible << "\n"
        << kExitCodes;
  };

  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(pos).run(), vm);
    if (vm.count("config")) {
      const std::string path = vm["config"].as<std::string>();
      std::ifstream in(path);
      if (!in) {
        std::cerr << "rqworker: cannot read config file '" << path << "'\n";
        return kExitUsage;
      }
      po::store(po::parse_config_file(in, all), vm);
    }
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "rqworker: " << e.what() << " (see rqworker --help)\n";
    return kExitUsage;
  }
  rqcpp::hide_url_passwords(argc, argv);
  if (vm.count("help")) {
    usage(std::cout);
    return kExitOk;
  }
  try {
    opt.redis_url = rqcpp::url_with_password(opt.redis_url, password_file);
  } catch (const rqcpp::UrlError& e) {
    std::cerr << "rqworker: " << e.what() << "\n";
    return kExitUsage;
  }
  if (!set_level(level)) {
    std::cerr << "rqworker: unknown logging level '" << level << "'\n";
    return kExitUsage;
  }
  if (!rqworker::set_log_format(*logger, log_format)) {
    std::cerr << "rqworker: --log-format must be text or json, not '" << log_format << "'\n";
    return kExitUsage;
  }
  if (dequeue_strategy == "round_robin") {
    opt.dequeue_strategy = rqcpp::DequeueStrategy::kRoundRobin;
  } else if (dequeue_strategy == "random") {
    opt.dequeue_strategy = rqcpp::DequeueStrategy::kRandom;
  } else if (dequeue_strategy != "default") {
    std::cerr << "rqworker: --dequeue-strategy must be default, round_robin or random, not '"
              << dequeue_strategy << "'\n";
    return kExitUsage;
  }
  for (auto [text, flag, limit] :
       {std::tuple{&max_data_size, "--max-data-size", &opt.payload_limits.data},
        std::tuple{&max_meta_size, "--max-meta-size", &opt.payload_limits.meta},
        std::tuple{&max_result_size, "--max-result-size", &opt.payload_limits.result},
        std::tuple{&job_memory_limit, "--job-memory-limit", &opt.job_limits.memory_bytes}}) {
    try {
      *limit = rqcpp::parse_byte_size(*text);
    } catch (const std::invalid_argument& e) {
      std::cerr << "rqworker: " << flag << ": " << e.what() << "\n";
      return kExitUsage;
    }
  }
  opt.max_idle_time = std::chrono::seconds(max_idle_time);
  if (worker_class == "simple") {
    opt.worker_class = rqcpp::WorkerOptions::Class::kSimple;
  } else if (worker_class != "fork") {
    std::cerr << "rqworker: --worker-class must be fork or simple, not '" << worker_class << "'\n";
    return kExitUsage;
  }
  try {
    opt.job_limits.cpu = std::chrono::seconds(rqcpp::parse_duration(job_cpu_limit));
  } catch (const std::invalid_argument& e) {
    std::cerr << "rqworker: --job-cpu-limit: " << e.what() << "\n";
    return kExitUsage;
  }
  opt.job_monitoring_interval = std::chrono::seconds(interval);
  opt.maintenance_interval = std::chrono::seconds(maintenance_interval);
  opt.worker_ttl = std::chrono::seconds(worker_ttl);
  opt.heartbeat_grace = std::chrono::seconds(heartbeat_grace);
  opt.callback_timeout = std::chrono::seconds(callback_timeout);
  opt.version_text = "rqcpp " RQCPP_VERSION " (C++)";
  if (pool_size < 0) {
    std::cerr << "rqworker: --pool must be at least 1\n";
    return kExitUsage;
  }
  try {
    opt = rqcpp::validate_worker_options(std::move(opt));  // the one check of the values
  } catch (const std::invalid_argument& e) {
    std::cerr << "rqworker: " << e.what() << " (see rqworker --help)\n";
    return kExitUsage;
  }
  if (pool_size > 0) return rqworker::run_pool(opt, pool_size, run_worker);
  return run_worker(opt);
}
