// Test plugin "badabi": a manifest from a future ABI (999). A worker must
// refuse it with a message naming the ABI version, and call nothing.
#include <rqcpp/plugin.h>

namespace {

int never_called(rqcpp_context* ctx, const uint8_t*, size_t, const uint8_t*, size_t) {
  ctx->set_error(ctx, "AssertionError", "badabi:work must never be called", nullptr);
  return RQCPP_ERROR;
}

const rqcpp_function kFunctions[] = {{"work", "must never be called", never_called}};
const rqcpp_manifest kManifest = {999u, "badabi", "0", 1, kFunctions};

}  // namespace

extern "C" __attribute__((visibility("default"))) const rqcpp_manifest* rqcpp_plugin_manifest(
    void) {
  return &kManifest;
}
