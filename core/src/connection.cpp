// Connection: hiredis (0.14, RESP2) with AUTH/SELECT, pipelining,
// FCALL / EVALSHA with reload when Redis lost the script, and Sentinel
// master discovery on every (re)connect.
#include "rqcpp/connection.hpp"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <charconv>
#include <cstring>
#include <stdexcept>

#include "rqcpp/error.hpp"
#include "rqcpp/script.hpp"
#include "rqcpp/sentinel.hpp"

namespace rqcpp {
namespace {

constexpr auto kDefaultConnectTimeout = std::chrono::seconds(5);

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

// Appends argv to hiredis' output buffer as a RESP array of bulk strings,
// the bytes redisAppendCommandArgv would write. Formatted here because
// hiredis 0.14 formats every argument with sdscatfmt and grows its sds step
// by step: ~500 instructions per argument, a third of a worker's CPU per job
// and of a single enqueue's (callgrind, docs/hot-path.md).
int append_resp(redisContext* c, const std::vector<std::string_view>& argv) {
  // Reused: no allocation per command. Room for the array header ("*", up
  // to 20 digits, CRLF) and for each argument "$", its length, two CRLFs.
  thread_local std::string out;
  size_t total = 23;
  for (auto a : argv) total += a.size() + 25;
  if (out.size() < total) out.resize(total);
  char* p = out.data();
  auto header = [&p](char tag, size_t n) {
    *p++ = tag;
    p = std::to_chars(p, p + 20, n).ptr;
    *p++ = '\r';
    *p++ = '\n';
  };
  header('*', argv.size());
  for (auto a : argv) {
    header('$', a.size());
    if (!a.empty()) std::memcpy(p, a.data(), a.size());
    p += a.size();
    *p++ = '\r';
    *p++ = '\n';
  }
  int rc = redisAppendFormattedCommand(c, out.data(), static_cast<size_t>(p - out.data()));
  if (out.size() > (size_t{1} << 20)) std::string().swap(out);  // after a huge command
  return rc;
}

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

void Connection::ContextDeleter::operator()(redisContext* c) const {
  redisFree(c);
}

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
  ctx_.reset();
  pending_ = 0;
  const RedisUrl node = resolve_master(url_, timeout_);  // url_ unless redis+sentinel://
  timeval tv = to_timeval(timeout_.count() > 0 ? timeout_ : kDefaultConnectTimeout);
  redisContext* c = node.unix_path.empty()
                        ? redisConnectWithTimeout(node.host.c_str(), node.port, tv)
                        : redisConnectUnixWithTimeout(node.unix_path.c_str(), tv);
  if (c == nullptr) throw RedisError("cannot allocate a Redis context for " + node.redacted());
  if (c->err) {
    std::string why = c->errstr;
    redisFree(c);
    throw RedisError("cannot connect to Redis at " + node.redacted() + ": " + why);
  }
  ctx_.reset(c);
  if (node.unix_path.empty()) redisEnableKeepAlive(c);
  set_timeout(timeout_);

  if (!node.password.empty()) {
    Reply r = node.user.empty() ? command({"AUTH", node.password})
                                : command({"AUTH", node.user, node.password});
    if (r.is_error()) {
      ctx_.reset();
      throw RedisError("Redis at " + node.redacted() + " refused AUTH: " + std::string(r.str()));
    }
  }
  if (node.db != 0) {
    std::string db = std::to_string(node.db);
    Reply r = command({"SELECT", db});
    if (r.is_error()) {
      ctx_.reset();
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
  ctx_.reset();
  pending_ = 0;
  throw RedisError("Redis at " + url_.redacted() + " answered " + text +
                   " (not a usable master now; the connection is closed, so a reconnect asks " +
                   (url_.is_sentinel() ? "the Sentinels for the master again)" : "again)"));
}

void Connection::fail(const char* what) {
  std::string why = ctx_ && ctx_->errstr[0] ? ctx_->errstr : "connection lost";
  ctx_.reset();
  pending_ = 0;
  throw RedisError(std::string(what) + " on Redis at " + url_.redacted() + ": " + why);
}

Reply Connection::command(const std::vector<std::string_view>& argv) {
  if (!ctx_) throw RedisError("not connected to Redis at " + url_.redacted());
  if (pending_ != 0)
    throw std::logic_error("Connection::command while pipelined replies are pending");
  void* r = nullptr;
  if (append_resp(ctx_.get(), argv) != REDIS_OK || redisGetReply(ctx_.get(), &r) != REDIS_OK ||
      r == nullptr) {
    fail(argv.empty() ? "command" : std::string(argv[0]).c_str());
  }
  Reply reply(static_cast<redisReply*>(r));
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
  if (!ctx_) throw RedisError("not connected to Redis at " + url_.redacted());
  if (append_resp(ctx_.get(), argv) != REDIS_OK) {
    fail("pipeline append");
  }
  ++pending_;
}

void Connection::append(std::initializer_list<std::string_view> argv) {
  append(std::vector<std::string_view>(argv));
}

std::vector<Reply> Connection::replies() {
  std::vector<Reply> out;
  out.reserve(pending_);
  while (pending_ > 0) {
    void* r = nullptr;
    if (redisGetReply(ctx_.get(), &r) != REDIS_OK || r == nullptr) fail("pipeline");
    out.emplace_back(static_cast<redisReply*>(r));
    if (is_failover_reply(out.back())) fail_over(out.back());
    --pending_;
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
  if (!ctx_) throw RedisError("not connected to Redis at " + url_.redacted());
  int done = 0;
  while (!done) {
    if (redisBufferWrite(ctx_.get(), &done) != REDIS_OK) fail("flush");
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
  return !ctx_ || ctx_->err != 0;
}

void Connection::reconnect() {
  connect();
}

int Connection::fd() const {
  return ctx_ ? ctx_->fd : -1;
}

void Connection::set_timeout(std::chrono::milliseconds timeout) {
  timeout_ = timeout;
  if (ctx_) redisSetTimeout(ctx_.get(), to_timeval(timeout));
}

}  // namespace rqcpp
