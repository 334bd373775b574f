// Test plugin "badcount": a manifest whose function_count (100000) is far
// more than its table holds (one entry). The first entry works, so a loader
// that looks up "work" without checking the whole manifest runs it, and a
// later lookup of a missing name walks off the table. A worker must refuse
// the plugin before it loads it into its own process.
#include <rqcpp/plugin.h>

namespace {

int work(rqcpp_context* ctx, const uint8_t*, size_t, const uint8_t*, size_t) {
  ctx->set_result(ctx, reinterpret_cast<const uint8_t*>("\xc0"), 1);
  return RQCPP_OK;
}

const rqcpp_function kFunctions[] = {{"work", "returns None", work}};
const rqcpp_manifest kManifest = {RQCPP_ABI_VERSION, "badcount", "1.0.0", 100000, kFunctions};

}  // namespace

extern "C" __attribute__((visibility("default"))) const rqcpp_manifest* rqcpp_plugin_manifest(
    void) {
  return &kManifest;
}
