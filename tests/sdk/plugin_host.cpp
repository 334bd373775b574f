#include "plugin_host.hpp"

#include <boost/dll/shared_library.hpp>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <stdexcept>

namespace rqcpp::test {
namespace {

// The host state behind rqcpp_context::host.
struct HostState {
  CallOutcome* out;
  const FakeJob* job;
};

HostState& state(rqcpp_context* ctx) {
  return *static_cast<HostState*>(ctx->host);
}

int host_set_meta(rqcpp_context* ctx, const uint8_t* data, size_t size) {
  if (size == 0 || !((data[0] & 0xf0) == 0x80 || data[0] == 0xde || data[0] == 0xdf)) {
    return RQCPP_ERROR;  // not a msgpack map
  }
  CallOutcome& out = *state(ctx).out;
  out.meta.assign(reinterpret_cast<const char*>(data), size);
  ctx->meta = reinterpret_cast<const uint8_t*>(out.meta.data());
  ctx->meta_size = out.meta.size();
  return RQCPP_OK;
}

int host_save_meta(rqcpp_context* ctx) {
  HostState& s = state(ctx);
  if (s.job->save_meta_fails) return RQCPP_ERROR;
  s.out->saved_metas.push_back(s.out->meta);
  return RQCPP_OK;
}

void host_set_result(rqcpp_context* ctx, const uint8_t* data, size_t size) {
  state(ctx).out->result = std::string(reinterpret_cast<const char*>(data), size);
}

void host_set_error(rqcpp_context* ctx, const char* type, const char* message, const char*) {
  CallOutcome& out = *state(ctx).out;
  out.error_type = type ? type : "";
  out.error_message = message ? message : "";
}

}  // namespace

CallOutcome call_job(rqcpp_job_fn fn, const std::string& args, const std::string& kwargs,
                     const FakeJob& job) {
  CallOutcome out;
  out.meta = job.meta;
  HostState host{&out, &job};
  rqcpp_context ctx{};
  ctx.abi_version = RQCPP_ABI_VERSION;
  ctx.struct_size = sizeof(rqcpp_context);
  ctx.job_id = job.id.c_str();
  ctx.origin = job.origin.c_str();
  ctx.func_name = job.func_name.c_str();
  ctx.meta = reinterpret_cast<const uint8_t*>(out.meta.data());
  ctx.meta_size = out.meta.size();
  ctx.host = &host;
  ctx.set_meta = host_set_meta;
  ctx.save_meta = host_save_meta;
  ctx.set_result = host_set_result;
  ctx.set_error = host_set_error;
  out.rc = fn(&ctx, reinterpret_cast<const uint8_t*>(args.data()), args.size(),
              reinterpret_cast<const uint8_t*>(kwargs.data()), kwargs.size());
  return out;
}

rqcpp_job_fn find_function(const rqcpp_manifest& manifest, const std::string& name) {
  for (size_t i = 0; i < manifest.function_count; ++i) {
    if (name == manifest.functions[i].name) return manifest.functions[i].fn;
  }
  return nullptr;
}

struct LoadedPlugin::Library {
  boost::dll::shared_library lib;
};

LoadedPlugin::LoadedPlugin(const std::filesystem::path& path) {
  namespace mode = boost::dll::load_mode;
  try {
    lib_ = std::make_unique<Library>(
        Library{boost::dll::shared_library(path, mode::rtld_now | mode::rtld_local)});
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot load " + path.string() + ": " + e.what());
  }
}

LoadedPlugin::~LoadedPlugin() = default;

void* LoadedPlugin::symbol(const char* name) const {
  return lib_->lib.has(name) ? static_cast<void*>(&lib_->lib.get<char>(name)) : nullptr;
}

const rqcpp_manifest& LoadedPlugin::manifest() const {
  void* sym = symbol(RQCPP_MANIFEST_SYMBOL);
  if (!sym) throw std::runtime_error("plugin has no " RQCPP_MANIFEST_SYMBOL);
  return *reinterpret_cast<rqcpp_manifest_fn>(sym)();
}

rqcpp_job_fn LoadedPlugin::function(const std::string& name) const {
  rqcpp_job_fn fn = find_function(manifest(), name);
  if (!fn) throw std::runtime_error("plugin manifest does not list " + name);
  return fn;
}

std::vector<std::string> exported_symbols(const std::filesystem::path& path) {
  std::string cmd = "nm -D --defined-only '" + path.string() + "'";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(cmd.c_str(), "r"), ::pclose);
  if (!pipe) throw std::runtime_error("cannot run " + cmd);
  std::string text;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe.get())) > 0) text.append(buf, n);
  std::vector<std::string> out;
  std::istringstream lines(text);
  std::string address, kind, name;
  while (lines >> address >> kind >> name) out.push_back(name);
  return out;
}

std::filesystem::path plugin_path(const std::string& libname) {
  return std::filesystem::path(RQCPP_TEST_PLUGIN_DIR) / ("lib" + libname + ".so");
}

}  // namespace rqcpp::test
