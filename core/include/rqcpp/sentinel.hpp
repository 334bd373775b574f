// Master discovery through Redis Sentinel, for redis+sentinel:// URLs.
//
// Connection and the worker's own connections call resolve_master() each
// time they connect, so a reconnect after a failover (the old master's
// connection dropped, or it answered READONLY / LOADING) reaches the new
// master. It follows the Sentinel client guidelines: ask each Sentinel in
// turn for the master's address, then check with ROLE that the node there
// is a master.
#pragma once

#include <chrono>

#include "rqcpp/redis_url.hpp"

namespace rqcpp {

// Returns `url` itself when it is not a redis+sentinel:// URL. Otherwise asks
// the Sentinels of `url` (the one that answered last time in this process
// first, then the others in the URL's order, AUTHing with sentinel_user /
// sentinel_password when given) `SENTINEL get-master-addr-by-name
// <service>`, connects to the address a Sentinel names with url's user,
// password and db, and asks it ROLE; the first node that says "master" wins
// (a user whose ACL refuses ROLE skips the check). Returns that node as a
// plain redis:// RedisUrl (host, port, user, password, db; no Sentinel
// fields). Each Sentinel and each node named gets at most
// min(`timeout`, defaults::kSentinelTimeout) to connect and answer (zero
// `timeout`: defaults::kSentinelTimeout). Makes one pass over the Sentinels
// and never waits between them: the caller retries, as the worker does.
// Thread-safe.
// Throws RedisError when no Sentinel names a node that says it is the
// master: the message names the service, the redacted URL and what each
// Sentinel answered (unreachable, refused AUTH, does not know the service,
// or named a node that is not a master yet, as during a failover).
RedisUrl resolve_master(const RedisUrl& url, std::chrono::milliseconds timeout);

}  // namespace rqcpp
