// A real rqcpp::Connection for fuzz targets that need one to build a Job
// (Job::from_hash stores it and sends nothing). It is connected to a Unix
// socket that this process listens on and never accepts from: the kernel
// completes the connection, no command is sent (the URL has no password and
// db 0), and nothing answers, so a decoder that did touch Redis would stall
// and be reported as a timeout instead of passing unnoticed.
#pragma once

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <rqcpp/connection.hpp>
#include <string>

namespace rqcpp::fuzz {

inline Connection& unconnected() {
  static Connection conn = [] {
    char dir[] = "/tmp/rqcpp-fuzz-XXXXXX";
    if (mkdtemp(dir) == nullptr) std::abort();
    std::string path = std::string(dir) + "/redis.sock";
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        listen(fd, 4) != 0) {
      std::abort();
    }
    Connection c = Connection::open("unix://" + path, std::chrono::seconds(1));
    // The listening socket stays open for the process's life (its backlog
    // holds the connection); the names go at once.
    unlink(path.c_str());
    rmdir(dir);
    return c;
  }();
  return conn;
}

}  // namespace rqcpp::fuzz
