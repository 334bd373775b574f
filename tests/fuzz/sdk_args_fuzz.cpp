// Input: the args and kwargs bytes rqworker hands a typed job function at the
// plugin boundary (taken from a job's `data`, which any producer controls),
// for one of a few typed signatures covering every ArgCodec kind. Framing:
// [function selector byte][2-byte little-endian args length][args][kwargs =
// the rest] (empty kwargs: none given).
// Asserts: the generated entry point returns RQCPP_OK or RQCPP_ERROR and
// never lets anything escape; a failure is a TypeError with a message (bad
// arguments are the submitter's error; anything else is a finding); each
// function returns its decoded arguments, so a result fed back in as the
// arguments must decode and give the same result (decode/encode round trip).
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <rqcpp/sdk.hpp>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "fuzz_check.hpp"

namespace fuzzed {

std::tuple<bool, std::int8_t, std::uint64_t, float, std::string, std::optional<std::int32_t>>
scalars(bool a, std::int8_t b, std::uint64_t c, float d, std::string_view e,
        std::optional<std::int32_t> f) {
  return {a, b, c, d, std::string(e), f};
}

std::tuple<std::vector<std::uint8_t>, std::vector<std::vector<std::int64_t>>,
           std::map<std::string, std::optional<double>>, std::tuple<bool, std::string>,
           std::map<std::string, std::int16_t>, std::nullptr_t>
containers(std::vector<std::uint8_t> bytes, std::vector<std::vector<std::int64_t>> matrix,
           const std::map<std::string, std::optional<double>>& weights,
           std::tuple<bool, std::string> pair,
           const std::unordered_map<std::string, std::int16_t>& counts, std::nullptr_t none) {
  // Sorted, so equal maps pack to equal bytes.
  std::map<std::string, std::int16_t> sorted(counts.begin(), counts.end());
  return {std::move(bytes), std::move(matrix), weights, std::move(pair), sorted, none};
}

// Any value plus keywords; the keyword names come back in the second place.
std::tuple<msgpack::object, std::vector<std::string>> anything(
    const msgpack::object& value, const std::optional<std::vector<std::string>>& /*names*/,
    const rqcpp::Kwargs& kw) {
  return {value, kw.names()};
}

// No arguments (keywords refused); an empty list, so the result is its args.
std::tuple<> nothing() {
  return {};
}

}  // namespace fuzzed

RQCPP_JOB(fuzzed::scalars, "bool, int8, uint64, float, str, optional int32");
RQCPP_JOB(fuzzed::containers, "bytes, list[list[int]], dict[str, float|None], tuple, dict, None");
RQCPP_JOB(fuzzed::anything, "any value and keywords");
RQCPP_JOB(fuzzed::nothing, "no arguments");
RQCPP_PLUGIN("fuzz", "0");

namespace {

struct Outcome {
  int rc = -1;
  std::optional<std::string> result;
  std::optional<std::string> error_type;
  std::string error_message;
};

Outcome call(rqcpp_job_fn fn, std::string_view args, std::string_view kwargs) {
  Outcome out;
  static const std::string meta("\x80", 1);
  rqcpp_context ctx{};
  ctx.abi_version = RQCPP_ABI_VERSION;
  ctx.struct_size = sizeof ctx;
  ctx.job_id = "fuzz";
  ctx.origin = "default";
  ctx.func_name = "fuzz:fn";
  ctx.meta = reinterpret_cast<const std::uint8_t*>(meta.data());
  ctx.meta_size = meta.size();
  ctx.host = &out;
  ctx.set_meta = [](rqcpp_context*, const std::uint8_t*, std::size_t) { return RQCPP_OK; };
  ctx.save_meta = [](rqcpp_context*) { return RQCPP_OK; };
  ctx.set_result = [](rqcpp_context* c, const std::uint8_t* data, std::size_t size) {
    static_cast<Outcome*>(c->host)->result = std::string(reinterpret_cast<const char*>(data), size);
  };
  ctx.set_error = [](rqcpp_context* c, const char* type, const char* message, const char*) {
    auto* o = static_cast<Outcome*>(c->host);
    o->error_type = type;
    o->error_message = message;
  };
  out.rc = fn(&ctx, reinterpret_cast<const std::uint8_t*>(args.data()), args.size(),
              reinterpret_cast<const std::uint8_t*>(kwargs.data()), kwargs.size());
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  const rqcpp_manifest& manifest = *rqcpp_plugin_manifest();
  rqcpp_job_fn fn = manifest.functions[data[0] % manifest.function_count].fn;
  std::size_t args_size = data[1] | (static_cast<std::size_t>(data[2]) << 8);
  std::string_view rest(reinterpret_cast<const char*>(data) + 3, size - 3);
  std::string_view args = rest.substr(0, args_size);
  std::string_view kwargs = rest.substr(args.size());

  Outcome first = call(fn, args, kwargs);
  if (first.rc == RQCPP_ERROR) {
    FUZZ_CHECK(first.error_type == "TypeError" && !first.error_message.empty());
    return 0;
  }
  FUZZ_CHECK(first.rc == RQCPP_OK && first.result);
  Outcome second = call(fn, *first.result, kwargs);
  if (second.rc != RQCPP_OK) {
    std::fprintf(stderr, "the result does not decode as arguments again: %s: %s\n",
                 second.error_type.value_or("?").c_str(), second.error_message.c_str());
  }
  FUZZ_CHECK(second.rc == RQCPP_OK && second.result == first.result);
  return 0;
}
