// The plugin call itself: context callbacks and the collected outcome; see
// plugin_call.hpp.
#include "worker/plugin_call.hpp"

#include <exception>
#include <msgpack.hpp>
#include <optional>
#include <string>

#include "rqcpp/connection.hpp"
#include "rqcpp/keys.hpp"
#include "worker/plugin_loader.hpp"

namespace rqcpp {

namespace {

// What the context callbacks record; reached through rqcpp_context::host.
struct Host {
  const PluginCall* job = nullptr;
  std::string meta;
  bool meta_set = false;
  std::optional<std::string> result;
  bool error_set = false;
  std::string error_type, error_message, traceback;
  std::optional<Connection> redis;  // opened by the first save_meta, never the parent's
};

Host& host_of(rqcpp_context* ctx) {
  return *static_cast<Host*>(ctx->host);
}

bool is_msgpack_map(const uint8_t* data, size_t size) {
  if (data == nullptr || size == 0) return false;
  try {
    size_t offset = 0;
    msgpack::object_handle oh = msgpack::unpack(reinterpret_cast<const char*>(data), size, offset);
    return offset == size && oh.get().type == msgpack::type::MAP;
  } catch (const std::exception&) {
    return false;
  }
}

int cb_set_meta(rqcpp_context* ctx, const uint8_t* data, size_t size) {
  if (!is_msgpack_map(data, size)) return RQCPP_ERROR;
  Host& h = host_of(ctx);
  h.meta.assign(reinterpret_cast<const char*>(data), size);
  h.meta_set = true;
  ctx->meta = reinterpret_cast<const uint8_t*>(h.meta.data());
  ctx->meta_size = h.meta.size();
  return RQCPP_OK;
}

int cb_save_meta(rqcpp_context* ctx) {
  Host& h = host_of(ctx);
  try {
    if (!h.redis || h.redis->broken()) h.redis.emplace(Connection::open(h.job->redis_url));
    std::string encoded = encode_value(h.meta, h.job->serializer);
    h.redis->checked({"HSET", keys::job(h.job->id), "meta", encoded});
    return RQCPP_OK;
  } catch (const std::exception&) {
    return RQCPP_ERROR;
  }
}

void cb_set_result(rqcpp_context* ctx, const uint8_t* data, size_t size) {
  Host& h = host_of(ctx);
  h.result = std::string(reinterpret_cast<const char*>(data), data ? size : 0);
}

void cb_set_error(rqcpp_context* ctx, const char* type, const char* message,
                  const char* traceback) {
  Host& h = host_of(ctx);
  h.error_set = true;
  h.error_type = type && *type ? type : "RuntimeError";
  h.error_message = message ? message : "";
  h.traceback = traceback ? traceback : "";
}

}  // namespace

CallOutcome CallOutcome::failure(std::string type, std::string message) {
  CallOutcome o;
  o.ok = false;
  o.exc_type = std::move(type);
  o.exc_message = std::move(message);
  return o;
}

CallOutcome call_plugin_function(const PluginCall& job, rqcpp_job_fn fn) {
  Host host;
  host.job = &job;
  host.meta = job.meta;
  rqcpp_context ctx{};
  ctx.abi_version = RQCPP_ABI_VERSION;
  ctx.struct_size = sizeof(rqcpp_context);
  ctx.job_id = job.id.c_str();
  ctx.origin = job.origin.c_str();
  ctx.func_name = job.func_name.c_str();
  ctx.meta = reinterpret_cast<const uint8_t*>(host.meta.data());
  ctx.meta_size = host.meta.size();
  ctx.host = &host;
  ctx.set_meta = cb_set_meta;
  ctx.save_meta = cb_save_meta;
  ctx.set_result = cb_set_result;
  ctx.set_error = cb_set_error;

  int rc = fn(&ctx, reinterpret_cast<const uint8_t*>(job.args.data()), job.args.size(),
              reinterpret_cast<const uint8_t*>(job.kwargs.data()), job.kwargs.size());

  CallOutcome o;
  if (rc == RQCPP_OK) {
    o.ok = true;
    o.result = std::move(host.result);
  } else if (host.error_set) {
    o = CallOutcome::failure(host.error_type, host.error_message);
    o.traceback = host.traceback;
  } else {
    o = CallOutcome::failure("RuntimeError", "job function reported an error");
  }
  if (host.meta_set) o.meta = host.meta;
  return o;
}

CallOutcome run_guarded(const std::function<CallOutcome()>& body) {
  try {
    return body();
  } catch (const PluginError& e) {
    return CallOutcome::failure("PluginError", e.what());
  } catch (const std::exception& e) {
    return CallOutcome::failure("RuntimeError", std::string("job function threw: ") + e.what());
  } catch (...) {
    return CallOutcome::failure("RuntimeError", "job function threw a non-standard exception");
  }
}

}  // namespace rqcpp
