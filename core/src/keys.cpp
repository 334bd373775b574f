// RQ 1.x key names (docs/redis-layout.md section 1.1).
#include "rqcpp/keys.hpp"

#include <utility>

namespace rqcpp::keys {
namespace {

std::string join(std::string_view prefix, std::string_view name) {
  std::string key;
  key.reserve(prefix.size() + name.size());
  key.append(prefix).append(name);
  return key;
}

}  // namespace

std::string queue(std::string_view q) {
  return join(kQueuePrefix, q);
}
std::string job(std::string_view id) {
  return join(kJobPrefix, id);
}
std::string dependents(std::string_view id) {
  return job(id).append(kDependentsSuffix);
}
// RQ builds this as "rq:job:" + ":" + id, hence the double colon.
std::string dependencies(std::string_view id) {
  return join("rq:job::", id).append(":dependencies");
}
std::string results(std::string_view id) {
  return join("rq:results:", id);
}

std::string started(std::string_view q) {
  return join("rq:wip:", q);
}
std::string finished(std::string_view q) {
  return join("rq:finished:", q);
}
std::string failed(std::string_view q) {
  return join("rq:failed:", q);
}
std::string deferred(std::string_view q) {
  return join("rq:deferred:", q);
}
std::string scheduled(std::string_view q) {
  return join("rq:scheduled:", q);
}
std::string canceled(std::string_view q) {
  return join("rq:canceled:", q);
}

std::string worker(std::string_view w) {
  return join(kWorkerPrefix, w);
}
std::string queue_workers(std::string_view q) {
  return join("rq:workers:", q);
}
std::string worker_channel(std::string_view w) {
  return join("rq:pubsub:", w);
}
std::string scheduler_lock(std::string_view q) {
  return join("rq:scheduler-lock:", q);
}
std::string clean_lock(std::string_view q) {
  return join("rq:clean_registries:", q);
}

const std::vector<Template>& templates() {
  static const std::vector<Template> all = [] {
    using Fn = std::string (*)(std::string_view);
    const std::pair<std::string_view, Fn> families[] = {{"job", job},
                                                        {"dependents", dependents},
                                                        {"dependencies", dependencies},
                                                        {"results", results},
                                                        {"queue", queue},
                                                        {"started", started},
                                                        {"finished", finished},
                                                        {"failed", failed},
                                                        {"deferred", deferred},
                                                        {"scheduled", scheduled},
                                                        {"canceled", canceled},
                                                        {"worker", worker},
                                                        {"queue_workers", queue_workers},
                                                        {"scheduler_lock", scheduler_lock},
                                                        {"clean_lock", clean_lock}};
    constexpr std::string_view marker = "\x1f<name>\x1f";
    std::vector<Template> out;
    for (const auto& [family, fn] : families) {
      std::string k = fn(marker);
      size_t at = k.find(marker);
      out.push_back({family, k.substr(0, at), k.substr(at + marker.size())});
    }
    out.push_back({"queues", std::string(kQueues), ""});
    out.push_back({"workers", std::string(kWorkers), ""});
    out.push_back({"suspended", std::string(kSuspended), ""});
    return out;
  }();
  return all;
}

std::string_view strip(std::string_view key, std::string_view prefix) {
  if (key.substr(0, prefix.size()) == prefix) key.remove_prefix(prefix.size());
  return key;
}

}  // namespace rqcpp::keys
