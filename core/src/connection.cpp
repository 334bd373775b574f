// Connection: RESP2 over a RedisStream (socket or TLS, hiredis' reader) with
// AUTH/SELECT, pipelining, FCALL / EVALSHA with reload when Redis lost the
// script, and Sentinel master discovery on every (re)connect.
#include "rqcpp/connection.hpp"

#include <stdexcept>

#include "redis_stream.hpp"
#include "rqcpp/error.hpp"
#include "rqcpp/script.hpp"
#include "rqcpp/sentinel.hpp"

namespace rqcpp {
namespace {

constexpr auto kDefaultConnectTimeout = std::chrono::seconds(5);

// FCALL <function> or EVALSHA <sha>, then numkeys, keys, args.
std::vector<std::string_view> call_argv(const Script& script, std::string_view sha,
                                        const std::vector<std::string_view>& keys,
                                        const std::vector<std::string_view>& args,
                                        std::string& numkeys) {
  numkeys = std::to_string(keys.size());
  std::vector<std::string_view> argv;
  argv.reserve(3 + keys.size() + args.size());
  argv.emplace_back(script.is_function() ? "FCALL" : "EVALSHA");
  argv.emplace_back(script.is_function() ? std::string_view(script.function()) : sha);
  argv.emplace_back(numkeys);
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

}  // namespace

Connection Connection::open(const std::string& url, std::chrono::milliseconds timeout) {
  return open(RedisUrl::parse(url), timeout);
}

Connection Connection::open(const RedisUrl& url, std::chrono::milliseconds timeout) {
  Connection conn(url, timeout);
  conn.connect();
  return conn;
}

Connection::Connection(RedisUrl url, std::chrono::milliseconds timeout)
    : url_(std::move(url)), timeout_(timeout) {}

Connection::Connection(Connection&&) noexcept = default;
Connection& Connection::operator=(Connection&&) noexcept = default;
Connection::~Connection() = default;

void Connection::connect() {
  stream_.reset();
  pending_ = 0;
  const RedisUrl node = resolve_master(url_, timeout_);  // url_ unless redis+sentinel://
  stream_ = std::make_unique<detail::RedisStream>(
      node, timeout_.count() > 0 ? timeout_ : kDefaultConnectTimeout, timeout_);

  if (!node.password.empty()) {
    Reply r = node.user.empty() ? command({"AUTH", node.password})
                                : command({"AUTH", node.user, node.password});
    if (r.is_error()) {
      stream_.reset();
      throw RedisError("Redis at " + node.redacted() + " refused AUTH: " + std::string(r.str()));
    }
  }
  if (node.db != 0) {
    std::string db = std::to_string(node.db);
    Reply r = command({"SELECT", db});
    if (r.is_error()) {
      stream_.reset();
      throw RedisError("Redis at " + node.redacted() + " refused SELECT " + db + ": " +
                       std::string(r.str()));
    }
  }
}

// READONLY: the node is a replica now (a failover demoted it, or the URL
// names a replica); LOADING: it is loading its data set and answers nothing
// yet. Only error replies are looked at, so this costs nothing per reply.
bool Connection::is_failover_reply(const Reply& r) {
  if (!r.is_error()) return false;
  std::string_view text = r.str();
  return text.starts_with("READONLY ") || text.starts_with("LOADING ");
}

void Connection::fail_over(const Reply& r) {
  std::string text(r.str());
  const std::string node = stream_->where();  // the node that answered, not the Sentinels
  stream_.reset();
  pending_ = 0;
  throw RedisError("Redis at " + node + " answered " + text +
                   " (not a usable master now; the connection is closed, so a reconnect asks " +
                   (url_.is_sentinel() ? "the Sentinels for the master again)" : "again)"));
}

void Connection::not_connected() const {
  throw RedisError("not connected to Redis at " + url_.redacted());
}

Reply Connection::command(const std::vector<std::string_view>& argv) {
  if (!stream_) not_connected();
  if (pending_ != 0)
    throw std::logic_error("Connection::command while pipelined replies are pending");
  const std::string_view what = argv.empty() ? std::string_view("command") : argv[0];
  stream_->append(argv);
  stream_->flush(what);
  Reply reply(stream_->next_reply(what));
  if (is_failover_reply(reply)) fail_over(reply);
  return reply;
}

Reply Connection::command(std::initializer_list<std::string_view> argv) {
  return command(std::vector<std::string_view>(argv));
}

Reply Connection::checked(const std::vector<std::string_view>& argv) {
  Reply r = command(argv);
  if (r.is_error()) {
    throw RedisError((argv.empty() ? std::string() : std::string(argv[0])) + ": " +
                     std::string(r.str()));
  }
  return r;
}

Reply Connection::checked(std::initializer_list<std::string_view> argv) {
  return checked(std::vector<std::string_view>(argv));
}

void Connection::append(const std::vector<std::string_view>& argv) {
  if (!stream_) not_connected();
  stream_->append(argv);
  ++pending_;
}

void Connection::append(std::initializer_list<std::string_view> argv) {
  append(std::vector<std::string_view>(argv));
}

std::vector<Reply> Connection::replies() {
  std::vector<Reply> out;
  out.reserve(pending_);
  if (pending_ > 0) {
    if (!stream_) not_connected();
    try {
      stream_->flush("pipeline");
      while (pending_ > 0) {
        out.emplace_back(stream_->next_reply("pipeline"));
        if (is_failover_reply(out.back())) fail_over(out.back());
        --pending_;
      }
    } catch (const RedisError&) {
      pending_ = 0;
      throw;
    }
  }
  return out;
}

const std::string& Connection::load(const Script& script) {
  if (!script.is_function()) {
    Reply r = command({"SCRIPT", "LOAD", script.source()});
    if (r.is_error() || r.type() != Reply::Type::kString) {
      throw RedisError("cannot load script " + script.name() + ": " + std::string(r.str()));
    }
    return shas_[script.id()] = std::string(r.str());
  }
  Reply r = command({"FUNCTION", "LOAD", script.source()});
  // Another client loading the same content first is success.
  if (r.is_error() && r.str().find("already exists") == std::string_view::npos) {
    const bool old_server = r.str().find("unknown command") != std::string_view::npos;
    throw RedisError("cannot load the function library of script " + script.name() + ": " +
                     std::string(r.str()) +
                     (old_server ? " (rqcpp needs Redis 7.0 or newer)" : ""));
  }
  return shas_[script.id()] = script.function();
}

void Connection::prepare(const Script& script) {
  if (!shas_.contains(script.id())) load(script);
}

void Connection::flush() {
  if (!stream_) not_connected();
  try {
    stream_->flush("flush");
  } catch (const RedisError&) {
    pending_ = 0;
    throw;
  }
}

Reply Connection::eval(const Script& script, const std::vector<std::string_view>& keys,
                       const std::vector<std::string_view>& args,
                       const std::function<void()>& while_waiting) {
  auto known = shas_.find(script.id());
  // Nodes of an unordered_map stay put: the pointer survives a reload.
  const std::string* sha = known != shas_.end() ? &known->second : &load(script);
  std::string numkeys;
  Reply r;
  if (while_waiting) {
    append(call_argv(script, *sha, keys, args, numkeys));
    flush();
    while_waiting();
    r = std::move(replies().front());
  } else {
    r = command(call_argv(script, *sha, keys, args, numkeys));
  }
  if (r.is_unknown_script()) {
    sha = &load(script);
    r = command(call_argv(script, *sha, keys, args, numkeys));
  }
  if (r.is_error()) throw RedisError("script " + script.name() + ": " + std::string(r.str()));
  return r;
}

void Connection::append_eval(const Script& script, const std::vector<std::string_view>& keys,
                             const std::vector<std::string_view>& args) {
  auto known = shas_.find(script.id());
  if (known == shas_.end()) {
    if (pending_ != 0)
      throw std::logic_error("append_eval: script " + script.name() + " not loaded");
    load(script);
    known = shas_.find(script.id());
  }
  std::string numkeys;
  append(call_argv(script, known->second, keys, args, numkeys));
}

bool Connection::broken() const {
  return !stream_ || stream_->broken();
}

void Connection::reconnect() {
  connect();
}

int Connection::fd() const {
  return stream_ && !stream_->broken() ? stream_->fd() : -1;
}

void Connection::set_timeout(std::chrono::milliseconds timeout) {
  timeout_ = timeout;
  if (stream_) stream_->set_timeout(timeout);
}

}  // namespace rqcpp
