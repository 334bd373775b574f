// TlsFiles: a CA, server and client certificates made with `openssl req`.
#include "tls_files.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include "redis_server.hpp"

namespace rqcpp::test {
namespace {

constexpr const char* kOpenssl = "/usr/bin/openssl";

void openssl(std::vector<std::string> args) {
  args.insert(args.begin(), kOpenssl);
  RunResult r = run(args, std::chrono::seconds(30));
  if (r.exit_code != 0) {
    std::string cmd;
    for (const auto& a : args) cmd += a + " ";
    throw std::runtime_error("TlsFiles: `" + cmd + "` failed:\n" + r.out + r.err);
  }
}

// A new P-256 key in <name>.key and its certificate in <name>.crt: self-signed
// (a CA) when `ca` is empty, else signed by <ca>.crt/<ca>.key.
void make(const std::string& dir, const std::string& name, const std::string& subject,
          const std::string& ca, const std::vector<std::string>& extensions) {
  std::vector<std::string> args{"req",
                                "-x509",
                                "-newkey",
                                "ec",
                                "-pkeyopt",
                                "ec_paramgen_curve:prime256v1",
                                "-nodes",
                                "-days",
                                "2",
                                "-subj",
                                subject,
                                "-keyout",
                                dir + "/" + name + ".key",
                                "-out",
                                dir + "/" + name + ".crt"};
  if (!ca.empty()) {
    args.insert(args.end(), {"-CA", dir + "/" + ca + ".crt", "-CAkey", dir + "/" + ca + ".key"});
  }
  for (const auto& e : extensions) args.insert(args.end(), {"-addext", e});
  openssl(args);
}

}  // namespace

TlsFiles::TlsFiles() {
  char tmpl[] = "/tmp/rqcpp-tls-XXXXXX";
  if (mkdtemp(tmpl) == nullptr)
    throw std::runtime_error(std::string("mkdtemp: ") + strerror(errno));
  dir_ = tmpl;
  try {
    make(dir_, "ca", "/CN=rqcpp test CA", "", {});
    make(dir_, "other-ca", "/CN=rqcpp unrelated CA", "", {});
    make(dir_, "server", "/CN=localhost", "ca",
         {"subjectAltName=IP:127.0.0.1,DNS:localhost", "basicConstraints=critical,CA:FALSE"});
    make(dir_, "elsewhere", "/CN=elsewhere.example", "ca",
         {"subjectAltName=DNS:elsewhere.example", "basicConstraints=critical,CA:FALSE"});
    make(dir_, "client", "/CN=rqcpp test client", "ca",
         {"basicConstraints=critical,CA:FALSE", "extendedKeyUsage=clientAuth"});
  } catch (...) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    throw;
  }
}

TlsFiles::~TlsFiles() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

}  // namespace rqcpp::test
