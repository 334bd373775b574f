// A job's limits from its meta, and the limits it runs under; see
// rqcpp/worker/job_limits.hpp.
#include "rqcpp/worker/job_limits.hpp"

#include <algorithm>
#include <limits>
#include <msgpack.hpp>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "msgpack_items.hpp"
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
    if constexpr (!std::is_same_v<ParseText, std::nullptr_t>) {  // compiles the call only then
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
  // The meta is whatever a producer wrote, and this runs in the worker
  // process: walked without building it (detail::map_items), and only the
  // small rqcpp_limits value unpacked, with container sizes bounded by its
  // bytes, so no header can make msgpack-c reserve gigabytes.
  std::vector<std::pair<std::string, std::string_view>> entries;
  try {
    entries = detail::map_items(meta_msgpack, "job meta");
  } catch (const DecodeError&) {
    detail::check_single_value(meta_msgpack, "job meta");  // throws unless valid msgpack
    return out;  // valid, but not a map with str keys: nothing asked
  }
  const auto found = std::find_if(entries.begin(), entries.end(),
                                  [](const auto& e) { return e.first == kMetaKey; });
  if (found == entries.end()) return out;
  const std::string_view raw = found->second;
  const std::size_t n = std::min<std::size_t>(raw.size(), 0xffffffff);
  msgpack::object_handle handle;
  try {
    handle = msgpack::unpack(raw.data(), raw.size(), nullptr, nullptr,
                             msgpack::unpack_limit(n, n / 2, n, n, n, /*depth=*/8));
  } catch (const std::exception& e) {
    throw invalid(std::string("cannot be read: ") + e.what());
  }
  const msgpack::object* limits = &handle.get();
  if (limits->type != msgpack::type::MAP) {
    throw invalid("must be a map with keys memory, cpu, open_files");
  }
  // About 100 years of CPU time, far beyond any job; keeps RLIMIT_CPU
  // arithmetic safe.
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
