// Byte vectors from docs/redis-layout.md section 4.1 (verified against RQ 1.13).
#include "rqcpp/serialization.hpp"

#include <catch2/catch.hpp>
#include <map>
#include <tuple>

#include "rqcpp/args.hpp"
#include "rqcpp/defaults.hpp"
#include "rqcpp/error.hpp"
#include "test_helpers.hpp"

using namespace rqcpp;
using rqcpp::test::hex;
using rqcpp::test::pack;
using rqcpp::test::unhex;

namespace {

JobCall add_call(const char* func) {
  JobCall c;
  c.func_name = func;
  c.args = Args::of(2, 3).args_msgpack();
  return c;
}

}  // namespace

TEST_CASE("job data for mylib:add(2, 3) matches Python RQ byte for byte", "[serialization]") {
  std::string data = encode_job_data(add_call("mylib:add"), Serializer::kMsgpack);
  CHECK(hex(data) == "78 9c 9b b2 32 b7 32 27 33 c9 2a 31 25 e5 c0 24 26 e6 06 00 3d 73 06 95");
  CHECK(hex(zlib_decompress(data)) == "94 a9 6d 79 6c 69 62 3a 61 64 64 c0 92 02 03 80");
  CHECK(hex(zlib_decompress(encode_job_data(add_call("mylib.add"), Serializer::kMsgpack))) ==
        "94 a9 6d 79 6c 69 62 2e 61 64 64 c0 92 02 03 80");
}

TEST_CASE("decode_job_data reads compressed and raw msgpack data", "[serialization]") {
  for (const auto& bytes :
       {unhex("78 9c 9b b2 32 b7 32 27 33 c9 2a 31 25 e5 c0 24 26 e6 06 00 3d 73 06 95"),
        unhex("94 a9 6d 79 6c 69 62 3a 61 64 64 c0 92 02 03 80")}) {
    Serializer s = Serializer::kJson;
    JobCall c = decode_job_data(bytes, &s);
    CHECK(s == Serializer::kMsgpack);
    CHECK(c.func_name == "mylib:add");
    CHECK(hex(c.args) == "92 02 03");
    CHECK(hex(c.kwargs) == "80");
  }
}

TEST_CASE("JSON job data is what RQ's JSONSerializer writes, and is read back", "[serialization]") {
  JobCall call = add_call("mylib.add");
  std::string data = encode_job_data(call, Serializer::kJson);
  CHECK(zlib_decompress(data) == R"(["mylib.add", null, [2, 3], {}])");
  Serializer s = Serializer::kMsgpack;
  JobCall back = decode_job_data(data, &s);
  CHECK(s == Serializer::kJson);
  CHECK(back.func_name == "mylib.add");
  CHECK(hex(back.args) == "92 02 03");
  CHECK(hex(back.kwargs) == "80");

  // As Python writes it (uncompressed is accepted too), with kwargs.
  JobCall k =
      decode_job_data(R"(["lib:f", null, ["a", 1.5, true, null], {"x": [1], "y": {"z": "w"}}])");
  CHECK(k.func_name == "lib:f");
  CHECK(msgpack_to_json(k.args) == R"(["a", 1.5, true, null])");
  CHECK(msgpack_to_json(k.kwargs) == R"({"x": [1], "y": {"z": "w"}})");
}

TEST_CASE("bad job data throws DecodeError", "[serialization]") {
  CHECK_THROWS_AS(decode_job_data(""), DecodeError);
  CHECK_THROWS_AS(decode_job_data(unhex("93 a1 61 c0 90")), DecodeError);           // 3 items
  CHECK_THROWS_AS(decode_job_data(unhex("94 01 c0 90 80")), DecodeError);           // func not str
  CHECK_THROWS_AS(decode_job_data(unhex("94 a1 61 c0 80 80")), DecodeError);        // args a map
  CHECK_THROWS_AS(decode_job_data(unhex("94 a1 61 c0 90 81 01 02")), DecodeError);  // int key
  CHECK_THROWS_AS(decode_job_data(unhex("94 a1 61 c0 90")), DecodeError);           // truncated
  CHECK_THROWS_AS(decode_job_data("[\"f\", null, [1]]"), DecodeError);
  CHECK_THROWS_AS(decode_job_data("[\"f\", null, [1], {}"), DecodeError);
  CHECK_THROWS_AS(decode_job_data(unhex("80 04 95")), DecodeError);  // a pickle
  JobCall bad;
  bad.func_name = "a:b";
  bad.args = unhex("80");
  CHECK_THROWS_AS(encode_job_data(bad, Serializer::kMsgpack), DecodeError);
}

TEST_CASE("return values encode to docs/redis-layout.md's base64 samples", "[serialization]") {
  auto b64 = [](const std::string& msgpack) {
    return base64_encode(encode_value(msgpack, Serializer::kMsgpack));
  };
  CHECK(b64(pack(5)) == "BQ==");
  CHECK(b64(pack(300)) == "zQEs");
  CHECK(b64(pack(-1)) == "/w==");
  CHECK(b64(pack(2.5)) == "y0AEAAAAAAAA");
  CHECK(b64(pack(std::string("hello"))) == "pWhlbGxv");
  CHECK(b64(pack(std::make_tuple(1, std::string("a")))) == "kgGhYQ==");
  CHECK(b64(pack(std::map<std::string, int>{{"x", 1}})) == "gaF4AQ==");
  CHECK(b64(pack(true)) == "ww==");
  CHECK(base64_encode(encode_value(pack(5), Serializer::kJson)) == "NQ==");

  CHECK(decode_value(base64_decode("zQEs"), Serializer::kMsgpack) == pack(300));
  CHECK(decode_value(base64_decode("NQ=="), Serializer::kJson) == unhex("05"));
  CHECK(hex(decode_value(base64_decode("y0AEAAAAAAAA"), Serializer::kMsgpack)) ==
        "cb 40 04 00 00 00 00 00 00");
}

TEST_CASE("meta {'k': 'v'} is 81 a1 6b a1 76 and JSON for JSON jobs", "[serialization]") {
  std::string meta = pack(std::map<std::string, std::string>{{"k", "v"}});
  CHECK(hex(encode_value(meta, Serializer::kMsgpack)) == "81 a1 6b a1 76");
  CHECK(encode_value(meta, Serializer::kJson) == R"({"k": "v"})");
  CHECK(hex(decode_value(R"({"k": "v"})", Serializer::kJson)) == "81 a1 6b a1 76");
}

TEST_CASE("base64 and zlib match Python and reject garbage", "[serialization]") {
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("a") == "YQ==");
  CHECK(base64_encode("ab") == "YWI=");
  CHECK(base64_encode("abc") == "YWJj");
  CHECK(base64_decode("YWI=") == "ab");
  CHECK(base64_decode("YWJj\n") == "abc");
  CHECK_THROWS_AS(base64_decode("Y"), DecodeError);
  CHECK_THROWS_AS(base64_decode("YW!="), DecodeError);
  CHECK_THROWS_AS(base64_decode("YQ=a"), DecodeError);
  // requeue()'s empty exc_info.
  CHECK(hex(zlib_compress("")) == "78 9c 03 00 00 00 00 01");
  CHECK(zlib_decompress(zlib_compress(std::string(100000, 'x'))) == std::string(100000, 'x'));
  CHECK_THROWS_AS(zlib_decompress("not zlib"), DecodeError);
  CHECK_THROWS_AS(zlib_decompress(zlib_compress("abc").substr(0, 5)), DecodeError);
}

TEST_CASE("msgpack <-> JSON conversion writes Python's json.dumps text", "[serialization]") {
  CHECK(msgpack_to_json(json_to_msgpack(R"(["\u00e9", 1.0, 1e16, 1e-05, {"a": null}])")) ==
        R"(["\u00e9", 1.0, 1e+16, 1e-05, {"a": null}])");
  // Map order survives (Python dicts keep insertion order).
  CHECK(msgpack_to_json(json_to_msgpack(R"({"b": 1, "a": 2})")) == R"({"b": 1, "a": 2})");
  // Binary becomes base64 text.
  CHECK(msgpack_to_json(unhex("c4 02 61 62")) == R"("YWI=")");
  CHECK_THROWS_AS(json_to_msgpack("{bad"), DecodeError);
  CHECK_THROWS_AS(msgpack_to_json(unhex("92 01")), DecodeError);
  CHECK_THROWS_AS(encode_value(unhex("01 02"), Serializer::kMsgpack), DecodeError);
}

TEST_CASE("Args packs positional and keyword arguments", "[serialization]") {
  Args a = Args::of(1, std::string("x"), 2.5).kwarg("k", 7).kwarg("a", std::vector<int>{1});
  CHECK(hex(a.args_msgpack()) == "93 01 a1 78 cb 40 04 00 00 00 00 00 00");
  CHECK(hex(a.kwargs_msgpack()) == "82 a1 61 91 01 a1 6b 07");
  CHECK(a.size() == 3);
  CHECK(a.kwargs_size() == 2);
  CHECK(hex(Args().args_msgpack()) == "90");
  CHECK(hex(Args().kwargs_msgpack()) == "80");

  Args raw;
  raw.add_raw(unhex("c0")).kwarg_raw("z", unhex("c3"));
  CHECK(hex(raw.args_msgpack()) == "91 c0");
  CHECK(hex(raw.kwargs_msgpack()) == "81 a1 7a c3");
  CHECK_THROWS_AS(raw.add_raw(unhex("01 02")), DecodeError);
  CHECK_THROWS_AS(raw.add_raw(""), DecodeError);

  Args from = Args::from_msgpack(unhex("92 02 03"), unhex("81 a1 6b a1 76"));
  CHECK(hex(from.args_msgpack()) == "92 02 03");
  CHECK(hex(from.kwargs_msgpack()) == "81 a1 6b a1 76");
  CHECK_THROWS_AS(Args::from_msgpack(unhex("80"), unhex("80")), DecodeError);
  CHECK_THROWS_AS(Args::from_msgpack(unhex("90"), unhex("81 01 01")), DecodeError);

  // Doubles are float64 even when integral (msgpack-c alone would pack 2.0
  // as the integer 2).
  CHECK(hex(Args::of(2.0, 1.5f).args_msgpack()) ==
        "92 cb 40 00 00 00 00 00 00 00 cb 3f f8 00 00 00 00 00 00");
  CHECK(python_repr(Args::float64(-0.0)) == "-0.0");

  // 16+ elements use the array16 header, as Python's msgpack does.
  Args many;
  for (int i = 0; i < 16; ++i) many.add(i);
  CHECK(hex(many.args_msgpack().substr(0, 3)) == "dc 00 10");
}

// Issue 10, defects 1 and 5: conversions recursed once per nesting level,
// so a value a few tens of thousands deep exhausted the stack.
TEST_CASE("conversions refuse values nested deeper than kMaxNestingDepth", "[serialization]") {
  const int limit = defaults::kMaxNestingDepth;
  auto json_deep = [](int n) { return std::string(n, '[') + std::string(n, ']'); };
  auto msgpack_deep = [](int n) { return std::string(n, '\x91') + std::string(1, '\xc0'); };

  CHECK(json_to_msgpack(json_deep(limit)) == std::string(limit - 1, '\x91') + "\x90");
  CHECK_THROWS_WITH(json_to_msgpack(json_deep(limit + 1)), Catch::Contains("deeper than 1000"));
  CHECK_THROWS_AS(json_to_msgpack(json_deep(100000)), DecodeError);
  CHECK_THROWS_AS(json_to_msgpack("{\"a\": " + json_deep(100000) + "}"), DecodeError);

  CHECK_NOTHROW(check_nesting(msgpack_deep(limit)));
  CHECK_THROWS_AS(check_nesting(msgpack_deep(limit + 1)), DecodeError);
  CHECK(msgpack_to_json(msgpack_deep(2)) == "[[null]]");
  CHECK_THROWS_WITH(msgpack_to_json(msgpack_deep(100000)), Catch::Contains("deeper than 1000"));
  // Maps count too; a truncated value is not this check's business.
  CHECK_THROWS_AS(check_nesting(std::string(limit + 1, '\x81') + "\xa1k"), DecodeError);
  CHECK_NOTHROW(check_nesting("\x92\x01"));
}
