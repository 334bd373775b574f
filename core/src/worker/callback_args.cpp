// Packing of callback argument arrays; see callback_args.hpp.
#include "worker/callback_args.hpp"

#include <msgpack.hpp>

namespace rqcpp {

namespace {

std::string packed(const std::string& job_id, const std::string* raw_tail,
                   const std::string* second, const std::string* third, uint32_t n) {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> pk(buf);
  pk.pack_array(n);
  pk.pack(job_id);
  if (second) pk.pack(*second);
  if (third) pk.pack(*third);
  std::string out(buf.data(), buf.size());
  if (raw_tail) out += *raw_tail;  // already msgpack
  return out;
}

}  // namespace

std::string success_callback_args(const std::string& job_id, const std::string& result_msgpack) {
  return packed(job_id, &result_msgpack, nullptr, nullptr, 2);
}

std::string failure_callback_args(const std::string& job_id, const std::string& exc_type,
                                  const std::string& exc_message) {
  return packed(job_id, nullptr, &exc_type, &exc_message, 3);
}

std::string stopped_callback_args(const std::string& job_id) {
  return packed(job_id, nullptr, nullptr, nullptr, 1);
}

}  // namespace rqcpp
