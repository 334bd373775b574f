// Shared set-up for the direct script tests: a private redis-server, a
// Connection, a snapshot of every key, and the wrong-typed-key check every
// script must pass (an error naming the key, and nothing changed).
#pragma once

#include <catch2/catch.hpp>
#include <functional>
#include <map>
#include <string>

#include "redis_server.hpp"
#include "rqcpp/connection.hpp"
#include "rqcpp/error.hpp"
#include "rqcpp/queue.hpp"

namespace rqcpp::test {

struct ScriptFixture {
  RedisServer redis;
  Connection conn = Connection::open(redis.url());

  // Enqueues builtin:add(1, 2) with id `id` into `queue`.
  Job enqueue(const std::string& id, const std::string& queue = "default", EnqueueOptions o = {}) {
    o.job_id = id;
    return Queue(conn, queue).enqueue_call("builtin:add", Args::of(1, 2), o);
  }

  std::string hget(const std::string& key, const std::string& field) {
    return std::string(conn.checked({"HGET", key, field}).str());
  }

  // key -> type, DUMP bytes and whether it expires: the whole database.
  std::map<std::string, std::string> snapshot() {
    std::map<std::string, std::string> out;
    for (const auto& k : conn.checked({"KEYS", "*"}).strings()) {
      std::string type(conn.checked({"TYPE", k}).str());
      std::string dump(conn.checked({"DUMP", k}).str());
      bool expires = conn.checked({"PTTL", k}).integer() >= 0;
      out[k] = type + "|" + (expires ? "expires" : "persists") + "|" + dump;
    }
    return out;
  }

  // Empties the database, runs `setup`, replaces `key` with a string (a
  // list when `as_list`: for keys that are strings), then requires `call` to
  // throw a RedisError naming `key` and leave every key exactly as it was.
  void check_refused(const std::string& key, const std::function<void()>& setup,
                     const std::function<void()>& call, bool as_list = false) {
    conn.checked({"FLUSHALL"});
    setup();
    conn.checked({"DEL", key});
    if (as_list) {
      conn.checked({"RPUSH", key, "wrong type"});
    } else {
      conn.checked({"SET", key, "wrong type"});
    }
    auto before = snapshot();
    INFO("wrong-typed key: " << key);
    bool refused = false;
    try {
      call();
    } catch (const RedisError& e) {
      refused = true;
      std::string what = e.what();
      INFO("error: " << what);
      CHECK(what.find("key " + key + (as_list ? " is a list" : " is a string")) !=
            std::string::npos);
    }
    CHECK(refused);
    CHECK(snapshot() == before);
  }
};

}  // namespace rqcpp::test
