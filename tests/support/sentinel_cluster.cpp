// SentinelCluster: a master, a replica and three redis-sentinel processes.
#include "sentinel_cluster.hpp"

#include <hiredis/hiredis.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "spawn.hpp"

namespace rqcpp::test {
namespace {

using Steady = std::chrono::steady_clock;
constexpr auto kReadyTimeout = std::chrono::seconds(30);

std::string sentinel_binary() {
  const char* env = std::getenv("RQCPP_REDIS_SENTINEL");
  return env && *env ? env : "/usr/bin/redis-sentinel";
}

struct ReplyFree {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyFree>;

// One short-lived hiredis connection to 127.0.0.1:port (200 ms timeouts).
class Client {
 public:
  explicit Client(int port) {
    timeval tv{0, 200000};
    ctx_ = redisConnectWithTimeout("127.0.0.1", port, tv);
    if (ctx_ != nullptr && ctx_->err == 0) redisSetTimeout(ctx_, tv);
  }
  ~Client() {
    if (ctx_ != nullptr) redisFree(ctx_);
  }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // The reply, or null when the connection failed.
  ReplyPtr command(const std::vector<std::string>& argv) {
    if (ctx_ == nullptr || ctx_->err != 0) return nullptr;
    std::vector<const char*> ptrs;
    std::vector<size_t> lens;
    for (const auto& a : argv) {
      ptrs.push_back(a.c_str());
      lens.push_back(a.size());
    }
    return ReplyPtr(static_cast<redisReply*>(
        redisCommandArgv(ctx_, static_cast<int>(argv.size()), ptrs.data(), lens.data())));
  }

 private:
  redisContext* ctx_ = nullptr;
};

// A flat [field, value, ...] array reply as a map.
std::map<std::string, std::string> fields(const redisReply* r) {
  std::map<std::string, std::string> out;
  if (r == nullptr || r->type != REDIS_REPLY_ARRAY) return out;
  for (size_t i = 0; i + 1 < r->elements; i += 2) {
    out[std::string(r->element[i]->str, r->element[i]->len)] =
        std::string(r->element[i + 1]->str, r->element[i + 1]->len);
  }
  return out;
}

std::string role_of(int port) {
  ReplyPtr r = Client(port).command({"ROLE"});
  if (!r || r->type != REDIS_REPLY_ARRAY || r->elements == 0) return "";
  return std::string(r->element[0]->str, r->element[0]->len);
}

bool replica_in_sync(int port) {
  ReplyPtr r = Client(port).command({"INFO", "replication"});
  return r && r->type == REDIS_REPLY_STRING &&
         std::strstr(r->str, "master_link_status:up") != nullptr;
}

}  // namespace

struct SentinelCluster::Sentinel {
  int port = 0;
  std::string conf;
  std::string log;
  std::unique_ptr<Process> process;

  // False when the port turned out to be taken (the caller picks another).
  bool launch(const std::string& dir, const std::string& service, int master_port, int index,
              std::chrono::milliseconds down_after) {
    port = detail::pick_free_port();
    conf = dir + "/sentinel-" + std::to_string(index) + ".conf";
    log = dir + "/sentinel-" + std::to_string(index) + ".log";
    {
      std::ofstream out(conf);
      out << "port " << port << "\nbind 127.0.0.1\ndaemonize no\ndir " << dir
          << "\nsentinel monitor " << service << " 127.0.0.1 " << master_port << " 2\n"
          << "sentinel down-after-milliseconds " << service << " " << down_after.count() << "\n"
          << "sentinel failover-timeout " << service << " 5000\n"
          << "sentinel parallel-syncs " << service << " 1\n";
    }
    process = std::make_unique<Process>(std::vector<std::string>{sentinel_binary(), conf},
                                        std::map<std::string, std::string>{}, log);
    auto deadline = Steady::now() + std::chrono::seconds(5);
    while (Steady::now() < deadline) {
      if (!process->running()) {
        if (tail_of(log).find("Address already in use") != std::string::npos) return false;
        throw std::runtime_error("redis-sentinel exited at start; log:\n" + tail_of(log));
      }
      ReplyPtr r = Client(port).command({"SENTINEL", "myid"});
      if (r && r->type == REDIS_REPLY_STRING) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    throw std::runtime_error("redis-sentinel on port " + std::to_string(port) +
                             " did not answer within 5 s; log:\n" + tail_of(log));
  }

  // Whether it sees the master with its replica and both other Sentinels.
  bool ready(const std::string& service) const {
    ReplyPtr r = Client(port).command({"SENTINEL", "master", service});
    auto f = fields(r.get());
    return f["flags"] == "master" && f["num-slaves"] == "1" && f["num-other-sentinels"] == "2";
  }
};

SentinelCluster::SentinelCluster(std::chrono::milliseconds down_after, std::string service)
    : service_(std::move(service)), down_after_(down_after) {
  char dir[] = "/tmp/rqcpp-sentinel-XXXXXX";
  if (mkdtemp(dir) == nullptr) {
    throw std::runtime_error(std::string("mkdtemp: ") + std::strerror(errno));
  }
  dir_ = dir;
  try {
    // No delay before a diskless full sync; the replica loads it straight
    // from the socket, so nothing is written to disk.
    master_ = std::make_unique<RedisServer>(
        RedisServer::Persistence::kNone,
        std::vector<std::string>{"--repl-diskless-sync-delay", "0", "--dir", dir_});
    replica_ = std::make_unique<RedisServer>(
        RedisServer::Persistence::kNone,
        std::vector<std::string>{"--replicaof", "127.0.0.1", std::to_string(master_->port()),
                                 "--repl-diskless-load", "on-empty-db",
                                 "--repl-diskless-sync-delay", "0", "--dir", dir_});
    const auto deadline = Steady::now() + kReadyTimeout;
    // In sync before the Sentinels start: their first INFO of the master
    // then lists the replica (the next one would come 10 s later).
    while (!replica_in_sync(replica_->port())) {
      if (Steady::now() > deadline) throw std::runtime_error("the replica did not sync in 30 s");
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    for (int i = 0; i < 3; ++i) {
      auto s = std::make_unique<Sentinel>();
      int attempts = 0;
      while (!s->launch(dir_, service_, master_->port(), i, down_after_)) {
        if (++attempts == 10) throw std::runtime_error("redis-sentinel: no free port");
      }
      sentinels_.push_back(std::move(s));
    }
    for (const auto& s : sentinels_) {
      while (!s->ready(service_)) {
        if (Steady::now() > deadline) {
          throw std::runtime_error("Sentinel on port " + std::to_string(s->port) +
                                   " did not see the replica and the other Sentinels in 30 s; "
                                   "log:\n" +
                                   tail_of(s->log));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
  } catch (...) {
    sentinels_.clear();
    replica_.reset();
    master_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    throw;
  }
}

SentinelCluster::~SentinelCluster() {
  sentinels_.clear();  // first, so they start no failover while servers stop
  replica_.reset();
  master_.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string SentinelCluster::url(const std::string& suffix) const {
  std::string u = "redis+sentinel://";
  for (size_t i = 0; i < sentinels_.size(); ++i) {
    u += (i > 0 ? ",127.0.0.1:" : "127.0.0.1:") + std::to_string(sentinels_[i]->port);
  }
  return u + "/" + service_ + suffix;
}

std::vector<int> SentinelCluster::sentinel_ports() const {
  std::vector<int> out;
  for (const auto& s : sentinels_) out.push_back(s->port);
  return out;
}

int SentinelCluster::master_port_now() const {
  for (const auto& s : sentinels_) {
    ReplyPtr r = Client(s->port).command({"SENTINEL", "get-master-addr-by-name", service_});
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2) {
      return std::atoi(r->element[1]->str);
    }
  }
  return -1;
}

bool SentinelCluster::wait_for_promotion(std::chrono::milliseconds timeout) const {
  const auto deadline = Steady::now() + timeout;
  const int promoted = replica_->port();
  for (;;) {
    bool all = role_of(promoted) == "master";
    for (const auto& s : sentinels_) {
      ReplyPtr r = Client(s->port).command({"SENTINEL", "get-master-addr-by-name", service_});
      all = all && r && r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
            std::atoi(r->element[1]->str) == promoted;
    }
    if (all) return true;
    if (Steady::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace rqcpp::test
