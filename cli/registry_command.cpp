// rqctl registry: the ids of one job registry of a queue, with their scores
// (read-only, through core's Registry).
#include <cmath>
#include <iostream>
#include <rqcpp/connection.hpp>
#include <rqcpp/registry.hpp>
#include <rqcpp/timestamp.hpp>

#include "cli_error.hpp"
#include "command.hpp"
#include "render.hpp"

namespace po = boost::program_options;

namespace rqctl {

namespace {

// A score as JSON: a number, or "+inf"/"-inf" (JSON has no infinity).
Json score_json(double score) {
  if (std::isinf(score)) return score > 0 ? "+inf" : "-inf";
  if (score == std::floor(score) && std::fabs(score) < 1e15) return static_cast<long long>(score);
  return score;
}

// The score as a UTC time; null for +inf and scores <= 0 (-1 = kept forever).
Json score_time(double score) {
  if (std::isinf(score) || score <= 0) return nullptr;
  return rqcpp::format_timestamp(
      rqcpp::Clock::time_point(std::chrono::seconds(static_cast<long long>(score))));
}

}  // namespace

int run_registry(GlobalOptions& global, const std::vector<std::string>& args) {
  CommandLine cmd{
      "registry", "QUEUE NAME [--json]",
      "Lists the job ids of one registry of QUEUE in score order, each with its score\n"
      "and that score as a UTC time, then the count. NAME is started, finished, failed,\n"
      "deferred, scheduled or canceled. The score is what RQ stores (docs/redis-layout.md 1.2):\n"
      "started: the deadline of the running job; finished/failed/canceled: when the\n"
      "entry expires (+inf or -1: kept forever); deferred: when it was deferred;\n"
      "scheduled: when it is due. Read-only: expired entries are shown as stored."};
  cmd.json = true;
  cmd.hidden.add_options()                 //
      ("queue", po::value<std::string>())  //
      ("name", po::value<std::string>());
  cmd.positional.add("queue", 1).add("name", 1);
  auto vm = parse_command_line(cmd, global, args);
  if (!vm) return kExitOk;
  const std::string queue = required_positional(*vm, "queue", "QUEUE", cmd);
  const std::string name = required_positional(*vm, "name", "NAME", cmd);
  const auto kind = rqcpp::parse_registry_kind(name);
  if (!kind) {
    throw UsageError(
        "registry: NAME must be started, finished, failed, deferred, scheduled or "
        "canceled, got: " +
        name);
  }

  rqcpp::Connection conn = global.connect();
  rqcpp::Registry registry(conn, queue, *kind);
  const std::vector<rqcpp::RegistryEntry> entries = registry.entries();
  if (vm->count("json")) {
    Json out;
    out["queue"] = queue;
    out["registry"] = name;
    out["key"] = registry.key();
    out["count"] = entries.size();
    out["jobs"] = Json::array();
    for (const auto& e : entries) {
      out["jobs"].push_back(
          {{"id", e.job_id}, {"score", score_json(e.score)}, {"time", score_time(e.score)}});
    }
    print_json(out);
    return kExitOk;
  }
  for (const auto& e : entries) {
    const Json t = score_time(e.score);
    const Json score = score_json(e.score);
    std::cout << e.job_id << "  " << (score.is_string() ? score.get<std::string>() : score.dump())
              << "  " << (t.is_null() ? "-" : t.get<std::string>()) << '\n';
  }
  std::cout << entries.size() << " job(s) in " << name << " registry of " << queue << " ("
            << registry.key() << ")\n";
  return kExitOk;
}

}  // namespace rqctl
