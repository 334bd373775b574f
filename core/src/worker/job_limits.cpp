// A job's limits from its meta, and the limits it runs under; see
// rqcpp/worker/job_limits.hpp.
#include "rqcpp/worker/job_limits.hpp"

#include <algorithm>
#include <limits>
#include <msgpack.hpp>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "rqcpp/byte_size.hpp"
#include "rqcpp/error.hpp"
#include "rqcpp/timestamp.hpp"

namespace rqcpp {

namespace {

constexpr std::string_view kMetaKey = "rqcpp_limits";

std::invalid_argument invalid(const std::string& what) {
  return std::invalid_argument("invalid meta['rqcpp_limits']: " + what);
}

std::string_view str_of(const msgpack::object& o) {
  return {o.via.str.ptr, o.via.str.size};
}

// A positive integer, or what `parse_text` makes of a str; `key` names the
// field in errors.
template <class ParseText>
std::uint64_t positive(const msgpack::object& v, std::string_view key, const char* expected,
                       ParseText parse_text) {
  std::uint64_t value = 0;
  if (v.type == msgpack::type::POSITIVE_INTEGER) {
    value = v.via.u64;
  } else if (v.type == msgpack::type::STR && !std::is_same_v<ParseText, std::nullptr_t>) {
    if constexpr (!std::is_same_v<ParseText, std::nullptr_t>) {
      try {
        value = parse_text(str_of(v));
      } catch (const std::invalid_argument& e) {
        throw invalid(std::string(key) + ": " + e.what());
      }
    }
  } else if (v.type != msgpack::type::NEGATIVE_INTEGER) {
    throw invalid(std::string(key) + " must be " + expected);
  }
  if (value == 0) throw invalid(std::string(key) + " must be above 0");
  return value;
}

std::uint64_t parse_seconds(std::string_view text) {
  const long long s = parse_duration(text);
  if (s < 0) throw std::invalid_argument("a negative duration");
  return static_cast<std::uint64_t>(s);
}

// At most `max`, else an error naming `key`.
long long at_most(std::uint64_t value, std::uint64_t max, std::string_view key) {
  if (value > max) throw invalid(std::string(key) + " is too large");
  return static_cast<long long>(value);
}

}  // namespace

JobLimits job_limits_from_meta(std::string_view meta_msgpack) {
  JobLimits out;
  // Most jobs ask for nothing: no unpacking on the per-job path for them.
  if (meta_msgpack.find(kMetaKey) == std::string_view::npos) return out;
  msgpack::object_handle handle;
  try {
    handle = msgpack::unpack(meta_msgpack.data(), meta_msgpack.size());
  } catch (const std::exception& e) {
    throw DecodeError(std::string("job meta is not msgpack: ") + e.what());
  }
  const msgpack::object& meta = handle.get();
  if (meta.type != msgpack::type::MAP) return out;
  const msgpack::object* limits = nullptr;
  for (const msgpack::object_kv& kv : meta.via.map) {
    if (kv.key.type == msgpack::type::STR && str_of(kv.key) == kMetaKey) limits = &kv.val;
  }
  if (limits == nullptr) return out;
  if (limits->type != msgpack::type::MAP) {
    throw invalid("must be a map with keys memory, cpu, open_files");
  }
  // Hours of CPU time far beyond any job; keeps RLIMIT_CPU arithmetic safe.
  constexpr std::uint64_t kMaxSeconds = defaults::kMaxJobTimeout.count();
  constexpr std::uint64_t kMaxFiles = std::numeric_limits<int>::max() / 2;
  for (const msgpack::object_kv& kv : limits->via.map) {
    const std::string key =
        kv.key.type == msgpack::type::STR ? std::string(str_of(kv.key)) : std::string("?");
    if (key == "memory") {
      out.memory_bytes =
          positive(kv.val, key, "bytes (an integer) or a size text like \"128M\"", parse_byte_size);
    } else if (key == "cpu") {
      out.cpu = std::chrono::seconds(
          at_most(positive(kv.val, key, "whole seconds (an integer) or a duration text like \"2m\"",
                           parse_seconds),
                  kMaxSeconds, key));
    } else if (key == "open_files") {
      out.open_files = at_most(positive(kv.val, key, "an integer", nullptr), kMaxFiles, key);
    } else {
      throw invalid("unknown key '" + key + "' (known: memory, cpu, open_files)");
    }
  }
  return out;
}

JobLimits effective_job_limits(const JobLimits& worker, const JobLimits& job) {
  // 0 is no limit: the lower of two limits, where one of them is set.
  auto lower = [](auto a, auto b) {
    if (a == decltype(a){}) return b;
    if (b == decltype(b){}) return a;
    return std::min(a, b);
  };
  JobLimits out;
  out.memory_bytes = lower(worker.memory_bytes, job.memory_bytes);
  out.cpu = lower(worker.cpu, job.cpu);
  out.open_files = lower(worker.open_files, job.open_files);
  return out;
}

}  // namespace rqcpp
