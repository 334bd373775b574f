// What a running job function can know and change about its job.
#pragma once

#include <cstdint>
#include <msgpack.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "rqcpp/plugin.h"
#include "rqcpp/sdk/arg_codec.hpp"
#include "rqcpp/sdk/bounded_unpack.hpp"
#include "rqcpp/sdk/job_error.hpp"
#include "rqcpp/sdk/message.hpp"
#include "rqcpp/sdk/packed_bytes.hpp"
#include "rqcpp/sdk/visibility.hpp"

namespace rqcpp {

// The job being run, over the host's rqcpp_context. Obtained inside a job
// function with rqcpp::current_job(); valid only until the function returns
// and only on the thread that runs it. Not copyable.
//
// Meta is the job's `meta` dict (a msgpack map). Changes are sent to the host
// at once (set_meta callback) and written to Redis with the job's outcome,
// or earlier by save_meta().
class JobContext {
 public:
  // Wraps `ctx` (not owned; must outlive this object, must be non-null).
  explicit JobContext(rqcpp_context* ctx) noexcept : ctx_(ctx) {}
  JobContext(const JobContext&) = delete;
  JobContext& operator=(const JobContext&) = delete;

  // The job id, the queue it came from, and "libname:function" as enqueued.
  std::string_view id() const { return text(ctx_->job_id); }
  std::string_view origin() const { return text(ctx_->origin); }
  std::string_view func_name() const { return text(ctx_->func_name); }

  // The current meta as msgpack map bytes; valid until the next meta change.
  std::string_view meta_msgpack() const {
    if (!ctx_->meta || ctx_->meta_size == 0) return std::string_view("\x80", 1);
    return std::string_view(reinterpret_cast<const char*>(ctx_->meta), ctx_->meta_size);
  }

  // The current meta decoded; the handle owns its data.
  msgpack::object_handle meta() const {
    std::string_view bytes = meta_msgpack();
    return sdk_detail::bounded_unpack(bytes.data(), bytes.size());
  }

  // True when meta has a str key `key`.
  bool has_meta(std::string_view key) const {
    msgpack::object_handle h = meta();
    return find_key(h.get(), key) != nullptr;
  }

  // Meta value `key` as T (types as for job parameters), or nullopt when
  // absent. Throws JobError("TypeError") when present but not convertible.
  template <class T>
  std::optional<T> get_meta(std::string_view key) const {
    msgpack::object_handle h = meta();
    const msgpack::object* value = find_key(h.get(), key);
    if (!value) return std::nullopt;
    try {
      return sdk_detail::ArgCodec<T>::decode(*value);
    } catch (const sdk_detail::DecodeFailure& f) {
      throw JobError("TypeError", sdk_detail::concat("meta '", key, "'", f.path, ": ", f.message));
    }
  }

  // Sets meta[key] = value (any msgpack-c packable value), keeping the other
  // keys. Throws std::runtime_error when the host rejects the new meta.
  template <class T>
  void set_meta(std::string_view key, const T& value) {
    rewrite_meta(key, true, [&](msgpack::packer<sdk_detail::PackedBytes>& p) {
      p.pack_str(static_cast<std::uint32_t>(key.size()));
      p.pack_str_body(key.data(), static_cast<std::uint32_t>(key.size()));
      p.pack(value);
    });
  }

  // Removes meta[key] if present.
  void erase_meta(std::string_view key) {
    rewrite_meta(key, false, [](msgpack::packer<sdk_detail::PackedBytes>&) {});
  }

  // Replaces the whole meta. Throws std::invalid_argument when
  // `msgpack_map` is not a msgpack map (meta unchanged).
  void replace_meta(std::string_view msgpack_map) {
    int rc = ctx_->set_meta(ctx_, reinterpret_cast<const std::uint8_t*>(msgpack_map.data()),
                            msgpack_map.size());
    if (rc != RQCPP_OK) throw std::invalid_argument("rqcpp: meta must be a msgpack map");
  }

  // Writes the current meta to Redis now, so producers can watch progress.
  // Returns false when Redis could not be reached (the meta is still written
  // with the job's outcome); never throws.
  bool save_meta() noexcept { return ctx_->save_meta(ctx_) == RQCPP_OK; }

  // The underlying C context, for what this class does not wrap.
  rqcpp_context* raw() const noexcept { return ctx_; }

 private:
  static std::string_view text(const char* s) {
    return s ? std::string_view(s) : std::string_view();
  }

  static bool key_is(const msgpack::object& k, std::string_view key) {
    return k.type == msgpack::type::STR && std::string_view(k.via.str.ptr, k.via.str.size) == key;
  }

  static const msgpack::object* find_key(const msgpack::object& map, std::string_view key) {
    if (map.type != msgpack::type::MAP) return nullptr;
    for (std::uint32_t i = 0; i < map.via.map.size; ++i) {
      if (key_is(map.via.map.ptr[i].key, key)) return &map.via.map.ptr[i].val;
    }
    return nullptr;
  }

  // Re-packs meta without `key`, lets `append` add one entry when `adds`, and
  // hands the result to the host.
  template <class Append>
  void rewrite_meta(std::string_view key, bool adds, Append&& append) {
    msgpack::object_handle h = meta();
    const msgpack::object& map = h.get();
    std::uint32_t kept = 0;
    if (map.type == msgpack::type::MAP) {
      for (std::uint32_t i = 0; i < map.via.map.size; ++i)
        kept += !key_is(map.via.map.ptr[i].key, key);
    }
    sdk_detail::PackedBytes buf;
    msgpack::packer<sdk_detail::PackedBytes> p(buf);
    p.pack_map(kept + (adds ? 1 : 0));
    if (map.type == msgpack::type::MAP) {
      for (std::uint32_t i = 0; i < map.via.map.size; ++i) {
        if (key_is(map.via.map.ptr[i].key, key)) continue;
        p.pack(map.via.map.ptr[i].key);
        p.pack(map.via.map.ptr[i].val);
      }
    }
    if (adds) append(p);
    int rc = ctx_->set_meta(ctx_, reinterpret_cast<const std::uint8_t*>(buf.bytes.data()),
                            buf.bytes.size());
    if (rc != RQCPP_OK) throw std::runtime_error("rqcpp: the host rejected the job's new meta");
  }

  rqcpp_context* ctx_;
};

namespace RQCPP_SDK_HIDDEN sdk_detail {

// The job run by this thread in this plugin, or null.
inline JobContext*& current_job_slot() {
  static thread_local JobContext* current = nullptr;
  return current;
}

// Makes `job` the current job for its lifetime (restores the previous one).
class CurrentJobScope {
 public:
  explicit CurrentJobScope(JobContext& job) noexcept : previous_(current_job_slot()) {
    current_job_slot() = &job;
  }
  ~CurrentJobScope() { current_job_slot() = previous_; }
  CurrentJobScope(const CurrentJobScope&) = delete;
  CurrentJobScope& operator=(const CurrentJobScope&) = delete;

 private:
  JobContext* previous_;
};

}  // namespace sdk_detail

// The job being run by the calling thread. Call only from inside a job
// function (or code it calls); throws std::logic_error anywhere else.
inline JobContext& current_job() {
  JobContext* job = sdk_detail::current_job_slot();
  if (!job) throw std::logic_error("rqcpp::current_job() called outside a job function");
  return *job;
}

}  // namespace rqcpp
