// How job payloads are encoded (docs: docs/redis-layout.md sections 2.2 and 4).
//
// Inside rqcpp, arguments, kwargs, meta and results are always msgpack bytes.
// On the wire a job is in one of RQ's serializers: msgpack (ours and the
// Python MsgpackSerializer of section 4.1) or JSON (RQ's JSONSerializer); the
// functions here translate at the edge. None of them touch Redis.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "rqcpp/defaults.hpp"

namespace rqcpp {

enum class Serializer { kMsgpack, kJson };

// The decoded `data` field of a job: func_name plus msgpack-encoded args
// (an array) and kwargs (a map with string keys).
struct JobCall {
  std::string func_name;
  std::string args = std::string("\x90", 1);    // msgpack []
  std::string kwargs = std::string("\x80", 1);  // msgpack {}
};

// zlib(serializer.dumps([func_name, nil, args, kwargs])). Throws DecodeError
// when args is not a msgpack array or kwargs not a map with string keys.
std::string encode_job_data(const JobCall& call, Serializer serializer);

// Inverse of encode_job_data. Accepts zlib-compressed or raw bytes (as RQ
// does) and detects the serializer from the first byte. Throws DecodeError
// (message says what is wrong) for anything that is not a 4-element array with
// a string func_name, an array of args and a map of kwargs, and
// SizeLimitError when the data, inflated, is larger than `max_size` bytes
// (inflating stops there: a zlib bomb costs at most that much memory).
JobCall decode_job_data(std::string_view data, Serializer* detected = nullptr,
                        std::uint64_t max_size = defaults::kMaxDataSize);

// A value (msgpack bytes) as the given serializer writes it, and back.
// Throws DecodeError on malformed input.
std::string encode_value(std::string_view msgpack, Serializer serializer);
std::string decode_value(std::string_view bytes, Serializer serializer);

// msgpack <-> JSON text (nlohmann-json). Binary becomes a base64 string in
// JSON. Throws DecodeError on malformed input and on arrays and maps nested
// deeper than defaults::kMaxNestingDepth.
std::string msgpack_to_json(std::string_view msgpack);
std::string json_to_msgpack(std::string_view json);

// Throws DecodeError when msgpack value `msgpack` nests arrays and maps
// deeper than defaults::kMaxNestingDepth (checked without recursion, before
// a recursive reader such as nlohmann-json's from_msgpack sees it).
void check_nesting(std::string_view msgpack);

// Python-style repr of a msgpack value ('a', 1, [1, 2], {'k': 1}, None,
// True), used for RQ's default job description "func(1, 'x', k=2)".
std::string python_repr(std::string_view msgpack);
std::string call_description(const JobCall& call);

// zlib format (header 78 9c), as RQ needs. zlib_decompress throws
// DecodeError on corrupt input, and SizeLimitError as soon as the output
// would pass `max_size` bytes.
std::string zlib_compress(std::string_view bytes);
std::string zlib_decompress(std::string_view bytes, std::uint64_t max_size = UINT64_MAX);

// Standard base64 with '=' padding; base64_decode throws DecodeError.
std::string base64_encode(std::string_view bytes);
std::string base64_decode(std::string_view text);

}  // namespace rqcpp
