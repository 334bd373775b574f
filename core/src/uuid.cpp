// uuid4 from a per-thread Mersenne Twister seeded by std::random_device,
// reseeded after fork() so parent and children never share a sequence.
// (If pthread_atfork could not register, every call reseeds: slow, never
// shared.)
#include "rqcpp/uuid.hpp"

#include <pthread.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <random>

namespace rqcpp {
namespace {

// Bumped in every child of fork() (pthread_atfork), so a child reseeds
// without a getpid() system call per uuid (glibc does not cache the pid).
std::atomic<unsigned> fork_generation{0};

void after_fork_in_child() {
  fork_generation.fetch_add(1, std::memory_order_relaxed);
}

std::mt19937_64& engine() {
  static const bool registered = pthread_atfork(nullptr, nullptr, after_fork_in_child) == 0;
  thread_local std::mt19937_64 gen;
  thread_local bool seeded = false;
  thread_local unsigned seeded_for = 0;
  unsigned generation = fork_generation.load(std::memory_order_relaxed);
  if (!seeded || seeded_for != generation || !registered) {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
    gen.seed(seq);
    seeded = true;
    seeded_for = generation;
  }
  return gen;
}

// The 128 random bits with the version and variant set, as 32 hex digits
// written into `out` (no snprintf/substr: uuid4() runs once per enqueue).
void random_hex(char* out) {
  static constexpr char kDigits[] = "0123456789abcdef";
  auto& gen = engine();
  uint64_t hi = gen(), lo = gen();
  hi = (hi & ~0xf000ULL) | 0x4000ULL;                  // version 4
  lo = (lo & ~(0xc000ULL << 48)) | (0x8000ULL << 48);  // RFC 4122 variant
  for (int i = 0; i < 16; ++i) {
    out[i] = kDigits[(hi >> (60 - 4 * i)) & 0xf];
    out[16 + i] = kDigits[(lo >> (60 - 4 * i)) & 0xf];
  }
}

}  // namespace

std::string uuid4_hex() {
  std::string out(32, '\0');
  random_hex(out.data());
  return out;
}

std::string uuid4() {
  char h[32];
  random_hex(h);
  std::string out(36, '-');  // 8-4-4-4-12
  char* o = out.data();
  std::memcpy(o, h, 8);
  std::memcpy(o + 9, h + 8, 4);
  std::memcpy(o + 14, h + 12, 4);
  std::memcpy(o + 19, h + 16, 4);
  std::memcpy(o + 24, h + 20, 12);
  return out;
}

}  // namespace rqcpp
