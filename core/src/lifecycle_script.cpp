// The key layout handed to lifecycle_lib.lua, derived from keys.hpp so that
// file stays the only one that spells key names.
#include "lifecycle_script.hpp"

#include "rqcpp/keys.hpp"
#include "rqcpp_lua_sources.hpp"

namespace rqcpp::detail {
namespace {

// (prefix, suffix) per key family, in lifecycle_lib.lua's `kinds` order,
// then rq:queues.
const std::vector<std::string>& layout_args() {
  static const std::vector<std::string> args = [] {
    constexpr std::string_view marker = "\x1f<name>\x1f";
    using Fn = std::string (*)(std::string_view);
    const Fn families[] = {
        keys::job,      keys::dependents,     keys::dependencies, keys::queue,     keys::started,
        keys::finished, keys::failed,         keys::deferred,     keys::scheduled, keys::canceled,
        keys::worker,   keys::scheduler_lock, keys::clean_lock};
    std::vector<std::string> out;
    for (Fn family : families) {
      std::string k = family(marker);
      size_t at = k.find(marker);
      out.push_back(k.substr(0, at));
      out.push_back(k.substr(at + marker.size()));
    }
    out.emplace_back(keys::kQueues);
    return out;
  }();
  return args;
}

}  // namespace

Script lifecycle_script(std::string name, std::string_view body) {
  std::string source(lua::lifecycle_lib);
  source += '\n';
  source += lua::job_transitions;  // push_job, retry_job, release_dependents
  source += '\n';
  source += body;
  return Script(std::move(name), std::move(source));
}

Reply eval_lifecycle(Connection& conn, const Script& script, const std::vector<std::string>& args) {
  const auto& layout = layout_args();
  std::vector<std::string_view> argv;
  argv.reserve(layout.size() + args.size());
  argv.insert(argv.end(), layout.begin(), layout.end());
  argv.insert(argv.end(), args.begin(), args.end());
  return conn.eval(script, {}, argv);
}

}  // namespace rqcpp::detail
