// Frames between worker and work horse; see horse_frame.hpp.
#include "worker/horse_frame.hpp"

#include <cstdint>
#include <cstring>

#include "rqcpp/error.hpp"

namespace rqcpp::horse_frame {

namespace {

void put_u64(std::string& out, uint64_t v) {
  out.append(reinterpret_cast<const char*>(&v), 8);
}

void put_str(std::string& out, std::string_view s) {
  put_u64(out, s.size());
  out.append(s);
}

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  uint64_t u64() {
    need(8);
    uint64_t v;
    std::memcpy(&v, in_.data() + pos_, 8);
    pos_ += 8;
    return v;
  }
  uint8_t u8() {
    need(1);
    return static_cast<uint8_t>(in_[pos_++]);
  }
  std::string str() {
    uint64_t n = u64();
    need(n);
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  bool done() const { return pos_ == in_.size(); }

 private:
  void need(uint64_t n) const {
    if (n > in_.size() - pos_) throw DecodeError("work horse sent a truncated outcome");
  }
  std::string_view in_;
  size_t pos_ = 0;
};

}  // namespace

std::string encode(const CallOutcome& o) {
  std::string body;
  body.push_back(o.ok ? 1 : 0);
  body.push_back(o.result ? 1 : 0);
  body.push_back(o.meta ? 1 : 0);
  put_str(body, o.result ? *o.result : std::string());
  put_str(body, o.exc_type);
  put_str(body, o.exc_message);
  put_str(body, o.traceback);
  put_str(body, o.meta ? *o.meta : std::string());
  std::string frame;
  put_u64(frame, body.size());
  return frame + body;
}

std::optional<CallOutcome> decode(std::string_view buffer) {
  if (buffer.size() < 8) return std::nullopt;
  uint64_t len;
  std::memcpy(&len, buffer.data(), 8);
  if (buffer.size() - 8 < len) return std::nullopt;
  if (buffer.size() - 8 > len) throw DecodeError("work horse sent bytes after its outcome");
  Reader r(buffer.substr(8));
  CallOutcome o;
  o.ok = r.u8() != 0;
  bool has_result = r.u8() != 0;
  bool has_meta = r.u8() != 0;
  std::string result = r.str();
  o.exc_type = r.str();
  o.exc_message = r.str();
  o.traceback = r.str();
  std::string meta = r.str();
  if (!r.done()) throw DecodeError("work horse sent a malformed outcome");
  if (has_result) o.result = std::move(result);
  if (has_meta) o.meta = std::move(meta);
  return o;
}

std::string encode_job(const PluginCall& j) {
  std::string out;
  for (std::string_view s :
       {std::string_view(j.id), std::string_view(j.origin), std::string_view(j.func_name),
        std::string_view(j.args), std::string_view(j.kwargs), std::string_view(j.meta),
        std::string_view(j.redis_url), std::string_view(j.plugin_dir.native())}) {
    put_str(out, s);
  }
  put_u64(out, static_cast<uint64_t>(j.serializer));
  put_u64(out, reinterpret_cast<uintptr_t>(j.fn));
  return out;
}

PluginCall decode_job(std::string_view bytes) {
  Reader r(bytes);
  PluginCall j;
  j.id = r.str();
  j.origin = r.str();
  j.func_name = r.str();
  j.args = r.str();
  j.kwargs = r.str();
  j.meta = r.str();
  j.redis_url = r.str();
  j.plugin_dir = r.str();
  j.serializer = static_cast<Serializer>(r.u64());
  // The entry point the worker resolved before forking: the horse shares its
  // address space image, so the address is valid here.
  // NOLINTNEXTLINE(performance-no-int-to-ptr): a code address sent to a forked child
  j.fn = reinterpret_cast<rqcpp_job_fn>(static_cast<uintptr_t>(r.u64()));
  if (!r.done()) throw DecodeError("worker sent a malformed job");
  return j;
}

}  // namespace rqcpp::horse_frame
