// uuid4 from a per-thread Mersenne Twister seeded by std::random_device,
// reseeded after fork() so parent and children never share a sequence.
#include "rqcpp/uuid.hpp"

#include <unistd.h>

#include <cstdio>
#include <random>

namespace rqcpp {
namespace {

std::mt19937_64& engine() {
  thread_local std::mt19937_64 gen;
  thread_local pid_t seeded_for = -1;
  pid_t pid = getpid();
  if (seeded_for != pid) {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
    gen.seed(seq);
    seeded_for = pid;
  }
  return gen;
}

}  // namespace

std::string uuid4_hex() {
  auto& gen = engine();
  uint64_t hi = gen(), lo = gen();
  hi = (hi & ~0xf000ULL) | 0x4000ULL;                  // version 4
  lo = (lo & ~(0xc000ULL << 48)) | (0x8000ULL << 48);  // RFC 4122 variant
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(hi),
                static_cast<unsigned long long>(lo));
  return buf;
}

std::string uuid4() {
  std::string h = uuid4_hex();
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20);
}

}  // namespace rqcpp
