// Test plugin "extra": a valid plugin listing one function, `listed`, that
// also exports `unlisted`, a C symbol with the job-function signature that
// is NOT in the manifest. "extra:unlisted" must fail exactly like
// "libc:system" would: only manifest entries are callable.
#include <cstdint>
#include <rqcpp/sdk.hpp>
#include <string>

namespace {

std::string listed() {
  return "listed";
}

}  // namespace

RQCPP_JOB(listed, "Returns 'listed'");
RQCPP_PLUGIN("extra", "1.0.0");

extern "C" __attribute__((visibility("default"))) int unlisted(rqcpp_context* ctx,
                                                               const std::uint8_t*, std::size_t,
                                                               const std::uint8_t*, std::size_t) {
  static const std::uint8_t kResult[] = {0xa8, 'u', 'n', 'l', 'i', 's', 't', 'e', 'd'};
  ctx->set_result(ctx, kResult, sizeof kResult);
  return RQCPP_OK;
}
