// Test plugin "loadcrash": crashes (SIGSEGV) in a static initializer, i.e.
// while dlopen runs. Only the jobs calling it may fail; the worker lives on.
#include <rqcpp/plugin.h>
#include <signal.h>

namespace {

struct CrashOnLoad {
  CrashOnLoad() { raise(SIGSEGV); }
} crash_on_load;

int work(rqcpp_context* ctx, const uint8_t*, size_t, const uint8_t*, size_t) {
  ctx->set_error(ctx, "AssertionError", "loadcrash:work must never run", nullptr);
  return RQCPP_ERROR;
}

const rqcpp_function kFunctions[] = {{"work", "never reached", work}};
const rqcpp_manifest kManifest = {RQCPP_ABI_VERSION, "loadcrash", "0", 1, kFunctions};

}  // namespace

extern "C" __attribute__((visibility("default"))) const rqcpp_manifest* rqcpp_plugin_manifest(
    void) {
  return &kManifest;
}
