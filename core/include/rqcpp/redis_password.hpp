// Keeping the Redis password out of URLs, command lines and process
// listings: operators give it in a file (rqworker/rqctl
// --redis-password-file, like rq-exporter's --redis-pass-file) or in the
// environment (RQ_REDIS_PASSWORD) instead of the URL, and what a URL on the
// command line holds is hidden from `ps`.
#pragma once

#include <string>
#include <string_view>

namespace rqcpp {

// The environment variable a password may come from.
inline constexpr std::string_view kRedisPasswordEnv = "RQ_REDIS_PASSWORD";

// `url` with the password from `password_file` (its first line, without the
// line end; "" = no file) or, without a file, from $RQ_REDIS_PASSWORD when
// set and non-empty, put into the URL's authority (percent-encoded, after
// the user name if the URL has one). `url` unchanged when neither gives
// one. The result holds the secret: pass it to Connection::open and
// nowhere else (log RedisUrl::redacted()). Throws UrlError when the URL
// already has a password and another source gives one too (give it once),
// when the file cannot be read or is empty (the message names the file,
// never its content), or when `url` is malformed.
std::string url_with_password(std::string url, const std::string& password_file);

// Overwrites, in place, every argument in argv[1..argc) that holds a URL
// with a password, with the URL's redacted form (cut to the argument's
// length), so /proc/<pid>/cmdline and `ps` no longer show it. Call after the
// command line was parsed into copies.
void hide_url_passwords(int argc, char** argv);

}  // namespace rqcpp
