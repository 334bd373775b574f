// Throwaway certificates for TLS tests, made with the openssl command-line
// tool (package openssl) at test time; nothing is checked in.
#pragma once

#include <string>

namespace rqcpp::test {

// A private temporary directory (removed with the object) holding PEM files:
// a CA, a server certificate and key signed by it for 127.0.0.1 and
// localhost (subjectAltName), a client certificate and key signed by it, a
// server certificate it signed for another name only (elsewhere.example),
// and an unrelated second CA ("wrong" CA). Valid for two days. The
// constructor throws std::runtime_error quoting openssl's output when a
// step fails.
class TlsFiles {
 public:
  TlsFiles();
  ~TlsFiles();
  TlsFiles(const TlsFiles&) = delete;
  TlsFiles& operator=(const TlsFiles&) = delete;

  const std::string& dir() const { return dir_; }
  std::string ca() const { return dir_ + "/ca.crt"; }
  std::string server_cert() const { return dir_ + "/server.crt"; }
  std::string server_key() const { return dir_ + "/server.key"; }
  std::string client_cert() const { return dir_ + "/client.crt"; }
  std::string client_key() const { return dir_ + "/client.key"; }
  std::string other_ca() const { return dir_ + "/other-ca.crt"; }
  std::string wrong_name_cert() const { return dir_ + "/elsewhere.crt"; }
  std::string wrong_name_key() const { return dir_ + "/elsewhere.key"; }

 private:
  std::string dir_;
};

}  // namespace rqcpp::test
