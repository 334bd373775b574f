// The job `data` field (docs/redis-layout.md 2.2) and serializer-encoded values.
#include <nlohmann/json.hpp>

#include "msgpack_items.hpp"
#include "rqcpp/byte_size.hpp"
#include "rqcpp/error.hpp"
#include "rqcpp/serialization.hpp"

namespace rqcpp {
namespace {

using Json = nlohmann::ordered_json;

bool looks_like_zlib(std::string_view b) {
  if (b.size() < 2) return false;
  auto cmf = static_cast<unsigned char>(b[0]), flg = static_cast<unsigned char>(b[1]);
  return (cmf & 0x0f) == 8 && (cmf * 256 + flg) % 31 == 0;
}

// JSON text starts (after optional whitespace) with '['; msgpack with an
// array header. Those never collide: '[' is msgpack's fixint 91.
Serializer detect(std::string_view plain) {
  for (char c : plain) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    if (c == '[' || c == '{') return Serializer::kJson;
    break;
  }
  return Serializer::kMsgpack;
}

JobCall decode_msgpack_call(std::string_view plain) {
  auto items = detail::array_items(plain, "job data");
  if (items.size() != 4) {
    throw DecodeError("job data: expected [func_name, instance, args, kwargs], got " +
                      std::to_string(items.size()) + " items");
  }
  auto func = static_cast<unsigned char>(items[0][0]);
  size_t hdr = (func & 0xe0) == 0xa0 ? 1
               : func == 0xd9        ? 2
               : func == 0xda        ? 3
               : func == 0xdb        ? 5
                                     : 0;
  if (hdr == 0) throw DecodeError("job data: func_name is not a msgpack str");
  JobCall call;
  call.func_name = std::string(items[0].substr(hdr));
  detail::array_items(items[2], "job args");
  detail::map_items(items[3], "job kwargs");
  call.args = std::string(items[2]);
  call.kwargs = std::string(items[3]);
  return call;
}

// Read as Python's json.loads reads it (json_to_msgpack: NaN and Infinity
// accepted, integers beyond 64 bits refused), then checked as msgpack data.
JobCall decode_json_call(std::string_view plain) {
  std::string msgpack;
  try {
    msgpack = json_to_msgpack(plain);
  } catch (const DecodeError& e) {
    throw DecodeError(std::string("job data: ") + e.what());
  }
  return decode_msgpack_call(msgpack);
}

}  // namespace

std::string encode_job_data(const JobCall& call, Serializer serializer) {
  detail::array_items(call.args, "job args");
  detail::map_items(call.kwargs, "job kwargs");
  std::string plain;
  if (serializer == Serializer::kMsgpack) {
    detail::append_array_header(plain, 4);
    detail::append_str(plain, call.func_name);
    plain += '\xc0';  // instance: None
    plain += call.args;
    plain += call.kwargs;
  } else {
    plain = "[" + Json(call.func_name).dump(-1, ' ', true, Json::error_handler_t::replace) +
            ", null, " + msgpack_to_json(call.args) + ", " + msgpack_to_json(call.kwargs) + "]";
  }
  return zlib_compress(plain);
}

JobCall decode_job_data(std::string_view data, Serializer* detected, std::uint64_t max_size) {
  const auto too_large = [max_size] {
    return SizeLimitError("job data is larger than " + format_byte_size(max_size) +
                          " (the reader's limit, rqworker --max-data-size)");
  };
  std::string plain;
  if (looks_like_zlib(data)) {
    try {
      plain = zlib_decompress(data, max_size);
    } catch (const SizeLimitError&) {
      throw too_large();
    } catch (const DecodeError&) {
      plain.assign(data);  // as RQ: fall back to the raw bytes
    }
  } else {
    plain.assign(data);
  }
  if (plain.size() > max_size) throw too_large();
  Serializer s = detect(plain);
  if (detected) *detected = s;
  return s == Serializer::kJson ? decode_json_call(plain) : decode_msgpack_call(plain);
}

std::string encode_value(std::string_view msgpack, Serializer serializer) {
  detail::check_single_value(msgpack, "value");
  if (serializer == Serializer::kMsgpack) return std::string(msgpack);
  return msgpack_to_json(msgpack);
}

std::string decode_value(std::string_view bytes, Serializer serializer) {
  if (serializer == Serializer::kJson) return json_to_msgpack(bytes);
  detail::check_single_value(bytes, "value");
  return std::string(bytes);
}

}  // namespace rqcpp
