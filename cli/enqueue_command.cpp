// rqctl enqueue: put one job on a queue through the core Queue API.
#include <iostream>

#include <rqcpp/args.hpp>
#include <rqcpp/connection.hpp>
#include <rqcpp/queue.hpp>
#include <rqcpp/timestamp.hpp>

#include "argument_literal.hpp"
#include "cli_error.hpp"
#include "command.hpp"

namespace po = boost::program_options;

namespace rqctl {

namespace {

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
      "with --. Durations are seconds or a number with s/m/h/d (90, 5m, 1h, 2d)."};
  std::vector<std::string> kwargs, depends_on;
  cmd.options.add_options()                                                      //
      ("kwarg", po::value(&kwargs)->value_name("K=V"),
       "keyword argument K with value V (JSON literal or text); repeatable")     //
      ("timeout", po::value<std::string>()->value_name("T"),
       "maximum run time (default 180 s; -1 = no limit)")                        //
      ("result-ttl", po::value<std::string>()->value_name("N"),
       "keep the result N seconds (default 500; 0 = not kept; -1 = forever)")    //
      ("ttl", po::value<std::string>()->value_name("N"),
       "discard the job if it has not started within N seconds")                 //
      ("failure-ttl", po::value<std::string>()->value_name("N"),
       "keep a failed job N seconds (default 1 year; -1 = forever)")             //
      ("depends-on", po::value(&depends_on)->value_name("ID"),
       "run only after job ID has finished; repeatable")                         //
      ("job-id", po::value<std::string>()->value_name("ID"),
       "use ID as the job id (default: a new UUID)")                             //
      ("at-front", po::bool_switch(), "put the job at the front of the queue")   //
      ("description", po::value<std::string>()->value_name("D"),
       "job description (default: the call, e.g. builtin:add(2, 3))")            //
      ("meta", po::value<std::string>()->value_name("JSON"), "job meta, a JSON object")  //
      ("serializer", po::value<std::string>()->value_name("S")->default_value("msgpack"),
       "job encoding in Redis: msgpack (rqcpp's and the Python MsgpackSerializer's) "
       "or json (RQ's JSONSerializer)");
  cmd.hidden.add_options()                          //
      ("queue", po::value<std::string>())           //
      ("func", po::value<std::string>())            //
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
    options.job_timeout = rqcpp::Duration(parse_seconds((*vm)["timeout"].as<std::string>(), "--timeout"));
  }
  if (vm->count("result-ttl")) {
    options.result_ttl = parse_seconds((*vm)["result-ttl"].as<std::string>(), "--result-ttl");
  }
  if (vm->count("ttl")) options.ttl = parse_seconds((*vm)["ttl"].as<std::string>(), "--ttl");
  if (vm->count("failure-ttl")) {
    options.failure_ttl = parse_seconds((*vm)["failure-ttl"].as<std::string>(), "--failure-ttl");
  }
  options.depends_on = depends_on;
  if (vm->count("job-id")) options.job_id = (*vm)["job-id"].as<std::string>();
  options.at_front = (*vm)["at-front"].as<bool>();
  if (vm->count("description")) options.description = (*vm)["description"].as<std::string>();
  if (vm->count("meta")) options.meta = json_object_to_msgpack((*vm)["meta"].as<std::string>(), "--meta");
  const rqcpp::Serializer serializer = parse_serializer((*vm)["serializer"].as<std::string>());

  rqcpp::Connection conn = rqcpp::Connection::open(global.url);
  rqcpp::Queue queue(conn, queue_name, serializer);
  rqcpp::Job job = queue.enqueue_call(func, call_args, options);
  std::cout << job.id() << '\n';
  return kExitOk;
}

}  // namespace rqctl
