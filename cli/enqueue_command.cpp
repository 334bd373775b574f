// rqctl enqueue: put one job on a queue through the core Queue API.
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <rqcpp/args.hpp>
#include <rqcpp/byte_size.hpp>
#include <rqcpp/connection.hpp>
#include <rqcpp/defaults.hpp>
#include <rqcpp/error.hpp>
#include <rqcpp/queue.hpp>
#include <rqcpp/serialization.hpp>
#include <rqcpp/timestamp.hpp>
#include <rqcpp/worker/job_limits.hpp>

#include "argument_literal.hpp"
#include "cli_error.hpp"
#include "command.hpp"

namespace po = boost::program_options;
namespace defaults = rqcpp::defaults;

namespace rqctl {

namespace {

// Help text "<before>N s<after>" for a default of N seconds, plus the days
// it makes when whole days (the one-year failure TTL).
std::string seconds_help(std::string_view before, std::chrono::seconds value,
                         std::string_view after) {
  std::string text = std::string(before) + std::to_string(value.count()) + " s";
  constexpr long long kDay = 86400;
  if (value.count() >= kDay && value.count() % kDay == 0) {
    text += " = " + std::to_string(value.count() / kDay) + " days";
  }
  return text + std::string(after);
}

// A number of seconds: a plain integer (so -1 works) or a duration such as
// "90", "5m", "1h", "2d".
long long parse_seconds(const std::string& text, const char* option) {
  try {
    size_t used = 0;
    const long long value = std::stoll(text, &used);
    if (used == text.size()) return value;
  } catch (const std::exception&) {
    // not a plain integer; try the duration forms below
  }
  try {
    return rqcpp::parse_duration(text);
  } catch (const std::exception& e) {
    throw UsageError(std::string(option) + ": " + e.what());
  }
}

// The job's meta: the --meta JSON object with --memory-limit, --cpu-limit
// and --max-open-files written into its "rqcpp_limits" map (docs/redis-layout.md
// 2.5), as msgpack; "" when neither is given. Its rqcpp_limits are checked
// by the worker's own rule (rqcpp::job_limits_from_meta), so what rqctl
// accepts a worker runs. Throws UsageError.
std::string job_meta(const po::variables_map& vm) {
  const bool limits_given =
      vm.count("memory-limit") || vm.count("cpu-limit") || vm.count("max-open-files");
  if (!vm.count("meta") && !limits_given) return "";
  const std::string meta_json = vm.count("meta") ? vm["meta"].as<std::string>() : "{}";
  std::string json = meta_json;
  if (limits_given) {
    nlohmann::json meta = nlohmann::json::parse(meta_json, nullptr, /*allow_exceptions=*/false);
    if (!meta.is_object()) throw UsageError("--meta must be a JSON object, got: " + meta_json);
    nlohmann::json& limits = meta["rqcpp_limits"];
    if (limits.is_null()) limits = nlohmann::json::object();
    if (!limits.is_object()) throw UsageError("--meta: rqcpp_limits must be a JSON object");
    if (vm.count("memory-limit")) {
      try {
        limits["memory"] = rqcpp::parse_byte_size(vm["memory-limit"].as<std::string>());
      } catch (const std::invalid_argument& e) {
        throw UsageError(std::string("--memory-limit: ") + e.what());
      }
    }
    if (vm.count("cpu-limit")) {
      limits["cpu"] = parse_seconds(vm["cpu-limit"].as<std::string>(), "--cpu-limit");
    }
    if (vm.count("max-open-files")) limits["open_files"] = vm["max-open-files"].as<long long>();
    json = meta.dump();
  }
  std::string msgpack = json_object_to_msgpack(json, "--meta");
  try {
    rqcpp::job_limits_from_meta(msgpack);
  } catch (const std::exception& e) {
    throw UsageError(e.what());
  }
  return msgpack;
}

// --at: ISO-8601 UTC ("2026-11-28T20:00:00Z", fraction optional) or Unix
// seconds.
rqcpp::Clock::time_point parse_when(const std::string& text) {
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos) {
    long long secs = 0;
    try {
      secs = std::stoll(text);
    } catch (const std::exception&) {
      secs = rqcpp::kMaxUnixSeconds;
    }
    if (secs >= rqcpp::kMaxUnixSeconds) {
      throw UsageError("--at: Unix seconds after " + std::to_string(rqcpp::kMaxUnixSeconds - 1) +
                       " (2262-04-11) cannot be scheduled: " + text);
    }
    return rqcpp::Clock::time_point(std::chrono::seconds(secs));
  }
  std::string ts = text;
  if (!ts.empty() && ts.back() != 'Z') ts += 'Z';
  if (auto t = rqcpp::parse_timestamp(ts)) return *t;
  throw UsageError(
      "--at expects ISO-8601 UTC (2026-11-28T20:00:00Z) up to 2262-04-11, or Unix seconds, "
      "got: " +
      text);
}

// --retry N[,I1,I2...]: at most N retries, waiting I1, I2... seconds.
rqcpp::Retry parse_retry(const std::string& text) {
  rqcpp::Retry retry;
  std::vector<long long> numbers;
  size_t start = 0;
  for (;;) {
    const size_t comma = text.find(',', start);
    const std::string part =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (part.empty()) throw UsageError("--retry expects N[,I1,I2...], got: " + text);
    numbers.push_back(parse_seconds(part, "--retry"));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (numbers.front() < 1 || numbers.front() > 1000000) {
    throw UsageError("--retry: N must be at least 1, got: " + text);
  }
  retry.max = static_cast<int>(numbers.front());
  if (numbers.size() > 1) retry.intervals.assign(numbers.begin() + 1, numbers.end());
  return retry;
}

rqcpp::Serializer parse_serializer(const std::string& text) {
  if (text == "msgpack") return rqcpp::Serializer::kMsgpack;
  if (text == "json") return rqcpp::Serializer::kJson;
  throw UsageError("--serializer must be msgpack or json, got: " + text);
}

}  // namespace

int run_enqueue(GlobalOptions& global, const std::vector<std::string>& args) {
  CommandLine cmd{
      "enqueue", "QUEUE FUNC [ARG...] [options]",
      "Enqueues a call of FUNC (\"libname:function\", e.g. builtin:add) on QUEUE and prints\n"
      "the new job's id. Each ARG, and each --kwarg value, is a JSON literal when it parses\n"
      "as one (3, -2.5, \"x\", [1,2], {\"a\":1}, true, null), else the text as a string; quote\n"
      "it for the shell ('\"3\"' is the string \"3\"). Put -- before arguments that start\n"
      "with --. Durations are seconds or a number with s/m/h/d (90, 5m, 1h, 2d).\n"
      "The job is queued, or deferred (--depends-on a job not finished yet), or\n"
      "scheduled (--at/--in: nothing runs it until a scheduler moves it to the queue)."};
  std::vector<std::string> kwargs, depends_on;
  cmd.options.add_options()  //
      ("kwarg", po::value(&kwargs)->value_name("K=V"),
       "keyword argument K with value V (JSON literal or text); repeatable")  //
      ("timeout", po::value<std::string>()->value_name("T"),
       seconds_help("maximum run time (default ", defaults::kJobTimeout, "; -1 = no limit)")
           .c_str())  //
      ("result-ttl", po::value<std::string>()->value_name("N"),
       seconds_help("keep the result N seconds (default ", defaults::kResultTtl,
                    "; 0 = not kept; -1 = forever)")
           .c_str())  //
      ("ttl", po::value<std::string>()->value_name("N"),
       "discard the job if it has not started within N seconds")  //
      ("failure-ttl", po::value<std::string>()->value_name("N"),
       seconds_help("keep a failed job N seconds (default ", defaults::kFailureTtl,
                    "; -1 = forever)")
           .c_str())  //
      ("depends-on", po::value(&depends_on)->value_name("ID"),
       "run only after job ID has finished; repeatable (the job is deferred "
       "until all have)")  //
      ("allow-failure", po::bool_switch(),
       "with --depends-on: also run when a dependency failed "
       "(RQ's allow_dependency_failures)")  //
      ("at", po::value<std::string>()->value_name("TIME"),
       "schedule for TIME: ISO-8601 UTC (2026-11-28T20:00:00Z) or Unix seconds, "
       "up to 2262-04-11; queued by a scheduler (rqworker --with-scheduler) once due")  //
      ("in", po::value<std::string>()->value_name("DURATION"),
       "schedule to run after DURATION (10s, 5m, 1h, 90); as --at")  //
      ("retry", po::value<std::string>()->value_name("N[,I1,...]"),
       "on failure retry up to N times, waiting I1, I2... seconds (default 0). As in "
       "RQ, the intervals belong to the last retries and the first one repeats "
       "before them: 3,10,60 waits 10, 10, 60 s")  //
      ("on-success", po::value<std::string>()->value_name("F"),
       "callback \"libname:function\" run by the worker after success")  //
      ("on-failure", po::value<std::string>()->value_name("F"),
       "callback run by the worker after a failure")  //
      ("on-stopped", po::value<std::string>()->value_name("F"),
       "callback run by the worker when the job is stopped")  //
      ("job-id", po::value<std::string>()->value_name("ID"),
       "use ID as the job id (default: a new UUID)")                            //
      ("at-front", po::bool_switch(), "put the job at the front of the queue")  //
      ("description", po::value<std::string>()->value_name("D"),
       "job description (default: the call, e.g. builtin:add(2, 3))")                    //
      ("meta", po::value<std::string>()->value_name("JSON"), "job meta, a JSON object")  //
      ("memory-limit", po::value<std::string>()->value_name("SIZE"),
       "run the job with at most SIZE (bytes, or 128M, 1G) of address space, or its "
       "worker's --job-memory-limit if lower (meta rqcpp_limits.memory)")  //
      ("cpu-limit", po::value<std::string>()->value_name("SECONDS"),
       "at most SECONDS (or 2m) of CPU time, or its worker's --job-cpu-limit if lower "
       "(meta rqcpp_limits.cpu)")  //
      ("max-open-files", po::value<long long>()->value_name("N"),
       "at most N open files, or its worker's --job-max-open-files if lower (meta "
       "rqcpp_limits.open_files)")  //
      ("serializer", po::value<std::string>()->value_name("S")->default_value("msgpack"),
       "job encoding in Redis: msgpack (rqcpp's and the Python MsgpackSerializer's) "
       "or json (RQ's JSONSerializer)");
  cmd.hidden.add_options()                 //
      ("queue", po::value<std::string>())  //
      ("func", po::value<std::string>())   //
      ("arg", po::value<std::vector<std::string>>());
  cmd.positional.add("queue", 1).add("func", 1).add("arg", -1);

  auto vm = parse_command_line(cmd, global, args);
  if (!vm) return kExitOk;
  const std::string queue_name = required_positional(*vm, "queue", "QUEUE", cmd);
  const std::string func = required_positional(*vm, "func", "FUNC", cmd);
  if (queue_name.empty()) throw UsageError("enqueue: QUEUE must not be empty");

  rqcpp::Args call_args;
  if (vm->count("arg")) {
    for (const std::string& a : (*vm)["arg"].as<std::vector<std::string>>()) {
      call_args.add_raw(argument_to_msgpack(a));
    }
  }
  for (const std::string& kv : kwargs) {
    const size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw UsageError("--kwarg expects K=V with a non-empty K, got: " + kv);
    }
    call_args.kwarg_raw(kv.substr(0, eq), argument_to_msgpack(kv.substr(eq + 1)));
  }

  rqcpp::EnqueueOptions options;
  if (vm->count("timeout")) {
    options.job_timeout =
        rqcpp::Duration(parse_seconds((*vm)["timeout"].as<std::string>(), "--timeout"));
  }
  if (vm->count("result-ttl")) {
    options.result_ttl = parse_seconds((*vm)["result-ttl"].as<std::string>(), "--result-ttl");
  }
  if (vm->count("ttl")) options.ttl = parse_seconds((*vm)["ttl"].as<std::string>(), "--ttl");
  if (vm->count("failure-ttl")) {
    options.failure_ttl = parse_seconds((*vm)["failure-ttl"].as<std::string>(), "--failure-ttl");
  }
  options.depends_on = depends_on;
  options.allow_dependency_failures = (*vm)["allow-failure"].as<bool>();
  if (vm->count("retry")) options.retry = parse_retry((*vm)["retry"].as<std::string>());
  if (vm->count("on-success")) options.on_success = (*vm)["on-success"].as<std::string>();
  if (vm->count("on-failure")) options.on_failure = (*vm)["on-failure"].as<std::string>();
  if (vm->count("on-stopped")) options.on_stopped = (*vm)["on-stopped"].as<std::string>();
  if (vm->count("at") && vm->count("in")) throw UsageError("enqueue: give --at or --in, not both");
  std::optional<rqcpp::Clock::time_point> when;
  if (vm->count("at")) when = parse_when((*vm)["at"].as<std::string>());
  if (vm->count("in")) {
    const long long delay = parse_seconds((*vm)["in"].as<std::string>(), "--in");
    if (delay < 0) throw UsageError("--in must not be negative");
    when = rqcpp::time_in(delay);
    if (!when) {
      throw UsageError("--in: " + (*vm)["in"].as<std::string>() +
                       " from now is after 2262-04-11, the latest time that can be scheduled");
    }
  }
  if (when && !depends_on.empty()) {
    throw UsageError("enqueue: --depends-on cannot be combined with --at/--in");
  }
  if (vm->count("job-id")) options.job_id = (*vm)["job-id"].as<std::string>();
  options.at_front = (*vm)["at-front"].as<bool>();
  if (vm->count("description")) options.description = (*vm)["description"].as<std::string>();
  options.meta = job_meta(*vm);
  const rqcpp::Serializer serializer = parse_serializer((*vm)["serializer"].as<std::string>());

  rqcpp::Connection conn = global.connect();
  rqcpp::Queue queue(conn, queue_name, serializer);
  rqcpp::Job job = when ? queue.enqueue_call_at(*when, func, call_args, options)
                        : queue.enqueue_call(func, call_args, options);
  std::cout << job.id() << '\n';
  return kExitOk;
}

}  // namespace rqctl
