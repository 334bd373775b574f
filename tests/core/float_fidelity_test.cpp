// Floats keep their type, sign and non-finite values through every
// conversion rqcpp does (msgpack packing, msgpack <-> JSON), and integers
// beyond 64 bits are refused instead of rounded, as Python keeps them.
// tests/interop/float_fidelity_test.cpp runs the same through Python RQ.
#include <catch2/catch.hpp>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "rqcpp/args.hpp"
#include "rqcpp/error.hpp"
#include "rqcpp/serialization.hpp"
#include "test_helpers.hpp"

using namespace rqcpp;
using Catch::Matchers::Contains;
using rqcpp::test::hex;

TEST_CASE("Args packs every float as a float, inside containers too", "[floats]") {
  Args a = Args::of(2.0, std::vector<double>{1.0, -0.0}, std::map<std::string, double>{{"x", 3.0}},
                    2.0f);
  a.kwarg("k", std::vector<float>{4.0f});
  CHECK(python_repr(a.args_msgpack()) == "[2.0, [1.0, -0.0], {'x': 3.0}, 2.0]");
  CHECK(python_repr(a.kwargs_msgpack()) == "{'k': [4.0]}");
  CHECK(hex(Args::of(std::vector<double>{2.0}).args_msgpack()) ==
        "91 91 cb 40 00 00 00 00 00 00 00");
}

TEST_CASE("JSON NaN and Infinity are read and written as Python's json does", "[floats]") {
  const std::string json = R"([NaN, Infinity, -Infinity, "NaN", "a\"Infinity", {"k": -Infinity}])";
  const std::string msgpack = json_to_msgpack(json);
  CHECK(python_repr(msgpack) == R"([nan, inf, -inf, 'NaN', 'a"Infinity', {'k': -inf}])");
  CHECK(msgpack_to_json(msgpack) == json);
  CHECK(json_to_msgpack("NaN") == Args::float64(std::numeric_limits<double>::quiet_NaN()));
  CHECK_THROWS_AS(json_to_msgpack("[Nan]"), DecodeError);
  CHECK_THROWS_AS(json_to_msgpack("{NaN: 1}"), DecodeError);
}

TEST_CASE("whole-number floats stay floats from msgpack to JSON and back", "[floats]") {
  for (const char* json : {"2.0", "-0.0", "[1.0, 2, -0.0]", "1e+16", "0.1"}) {
    INFO(json);
    CHECK(msgpack_to_json(json_to_msgpack(json)) == json);
  }
  CHECK(msgpack_to_json(Args::float64(2.0)) == "2.0");
  CHECK(msgpack_to_json(Args::float64(-0.0)) == "-0.0");
}

TEST_CASE("JSON integers beyond 64 bits fail clearly instead of becoming floats", "[floats]") {
  for (const char* big :
       {"1180591620717411303424", "[18446744073709551616]", "{\"k\": -9223372036854775809}"}) {
    INFO(big);
    try {
      json_to_msgpack(big);
      FAIL("accepted");
    } catch (const DecodeError& e) {
      CHECK_THAT(e.what(), Contains("does not fit in 64 bits"));
    }
  }
  CHECK(python_repr(json_to_msgpack("[18446744073709551615, -9223372036854775808]")) ==
        "[18446744073709551615, -9223372036854775808]");
  CHECK(python_repr(json_to_msgpack("[1.5e300, 2e0]")) == "[1.5e+300, 2.0]");
}
