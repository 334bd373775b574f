// Internal to tests/support: fork + execv and free ports, shared by Process,
// run(), RedisServer and SentinelCluster.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace rqcpp::test::detail {

// A port the kernel just handed out for 127.0.0.1, i.e. free right now
// (another process may still take it before the caller binds it). Throws
// std::runtime_error when no socket can be bound.
int pick_free_port();

// Starts argv[0] (a path) with argv, the current environment plus `env`,
// stdout/stderr redirected to the given fds (-1 = inherit) and `death_signal`
// delivered to the child if this process dies (0 = none). Returns the pid.
// Throws std::runtime_error when fork fails or the program cannot be
// executed (reported back from the child through a close-on-exec pipe).
pid_t spawn(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
            int out_fd, int err_fd, int death_signal);

}  // namespace rqcpp::test::detail
