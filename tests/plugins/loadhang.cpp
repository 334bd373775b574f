// Test plugin "loadhang": sleeps forever in a static initializer, i.e. while
// dlopen runs. The job's timeout must end it; the worker lives on.
#include <rqcpp/plugin.h>
#include <unistd.h>

namespace {

struct HangOnLoad {
  HangOnLoad() {
    for (;;) pause();
  }
} hang_on_load;

int work(rqcpp_context* ctx, const uint8_t*, size_t, const uint8_t*, size_t) {
  ctx->set_error(ctx, "AssertionError", "loadhang:work must never run", nullptr);
  return RQCPP_ERROR;
}

const rqcpp_function kFunctions[] = {{"work", "never reached", work}};
const rqcpp_manifest kManifest = {RQCPP_ABI_VERSION, "loadhang", "0", 1, kFunctions};

}  // namespace

extern "C" __attribute__((visibility("default"))) const rqcpp_manifest* rqcpp_plugin_manifest(
    void) {
  return &kManifest;
}
