// The typed layer: arguments decoded from msgpack by parameter type, results
// encoded from the return type, and readable TypeErrors for bad calls.
#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <rqcpp/sdk.hpp>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "in_process_plugin.hpp"
#include "msgpack_helpers.hpp"
#include "plugin_host.hpp"

namespace typed {

int add(int a, int b) {
  return a + b;
}
std::string upper(const std::string& s) {
  std::string out = s;
  for (char& c : out) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
  return out;
}
std::int64_t total(const std::vector<std::int64_t>& xs) {
  std::int64_t sum = 0;
  for (auto x : xs) sum += x;
  return sum;
}
std::map<std::string, int> doubled(std::map<std::string, int> m) {
  for (auto& [k, v] : m) v *= 2;
  return m;
}
std::size_t count_keys(const std::unordered_map<std::string, std::vector<std::string>>& m) {
  return m.size();
}
bool negate(bool b) {
  return !b;
}
double half(double x) {
  return x / 2;
}
std::uint8_t small(std::uint8_t x) {
  return x;
}
std::optional<int> maybe(std::optional<int> x) {
  return x;
}
std::string greet(const std::string& name, std::optional<std::string> greeting) {
  return greeting.value_or("hello") + ", " + name;
}
std::nullptr_t nothing(std::nullptr_t) {
  return nullptr;
}
std::string kind(msgpack::object o) {
  return rqcpp::sdk_detail::kind_name(o);
}
std::string pair_text(std::tuple<int, std::string> t) {
  return std::to_string(std::get<0>(t)) + ":" + std::get<1>(t);
}
std::vector<std::uint8_t> bytes_reversed(std::vector<std::uint8_t> b) {
  return {b.rbegin(), b.rend()};
}
void nothing_returned() noexcept {}
std::vector<std::optional<int>> holes(std::vector<std::optional<int>> v) {
  return v;
}
int scale(int x, rqcpp::Kwargs kw) {
  kw.expect_only({"factor", "offset"});
  return x * kw.get_or<int>("factor", 2) + kw.get_or<int>("offset", 0);
}
std::string need_name(const rqcpp::Kwargs& kw) {
  return kw.get<std::string>("name");
}

}  // namespace typed

RQCPP_JOB(typed::add, "int + int");
RQCPP_JOB(typed::upper, "upper-case");
RQCPP_JOB(typed::total, "sum of a list");
RQCPP_JOB(typed::doubled, "dict values doubled");
RQCPP_JOB(typed::count_keys, "number of keys");
RQCPP_JOB(typed::negate, "not");
RQCPP_JOB(typed::half, "x / 2");
RQCPP_JOB(typed::small, "uint8 identity");
RQCPP_JOB(typed::maybe, "optional identity");
RQCPP_JOB(typed::greet, "trailing optional");
RQCPP_JOB(typed::nothing, "nil identity");
RQCPP_JOB(typed::kind, "kind of any value");
RQCPP_JOB(typed::pair_text, "tuple");
RQCPP_JOB(typed::bytes_reversed, "bytes");
RQCPP_JOB(typed::nothing_returned, "void");
RQCPP_JOB(typed::holes, "list of optionals");
RQCPP_JOB(typed::scale, "keywords");
RQCPP_JOB_NAMED("need_name", typed::need_name, "required keyword");

using rqcpp::test::args;
using rqcpp::test::call_job;
using rqcpp::test::CallOutcome;
using rqcpp::test::in_process_function;
using rqcpp::test::kNoKwargs;
using rqcpp::test::packed;
using rqcpp::test::unpacked;

namespace {

CallOutcome call(const std::string& name, const std::string& a, const std::string& kw = kNoKwargs) {
  return call_job(in_process_function(name), a, kw);
}

void require_type_error(const CallOutcome& out, const std::string& message) {
  INFO("error: " << out.error_type.value_or("<none>") << ": " << out.error_message);
  REQUIRE(out.rc == RQCPP_ERROR);
  REQUIRE(out.error_type == std::optional<std::string>("TypeError"));
  REQUIRE(out.error_message == message);
  REQUIRE_FALSE(out.result.has_value());
}

}  // namespace

TEST_CASE("typed function gets decoded arguments and returns an encoded result", "[sdk][typed]") {
  CallOutcome out = call("add", args(2, 3));
  REQUIRE(out.rc == RQCPP_OK);
  REQUIRE_FALSE(out.error_type.has_value());
  REQUIRE(unpacked<int>(*out.result) == 5);

  REQUIRE(unpacked<std::string>(*call("upper", args(std::string("abc"))).result) == "ABC");
  REQUIRE(unpacked<bool>(*call("negate", args(true)).result) == false);
  REQUIRE(unpacked<double>(*call("half", args(3.0)).result) == 1.5);
  REQUIRE(unpacked<double>(*call("half", args(3)).result) == 1.5);  // int accepted for float
}

TEST_CASE("wrong argument count names the function and both counts", "[sdk][typed]") {
  require_type_error(call("add", args(1, 2, 3)), "add() takes 2 arguments, got 3");
  require_type_error(call("add", args(1)), "add() takes 2 arguments, got 1");
  require_type_error(call("upper", args()), "upper() takes 1 argument, got 0");
  require_type_error(call("nothing_returned", args(1)),
                     "nothing_returned() takes 0 arguments, got 1");
  require_type_error(call("greet", args()), "greet() takes 1 to 2 arguments, got 0");
  require_type_error(call("greet", args(1, 2, 3)), "greet() takes 1 to 2 arguments, got 3");
}

TEST_CASE("wrong argument type names the position and expected type in words", "[sdk][typed]") {
  require_type_error(call("add", args(1, std::string("x"))),
                     "add() argument 2: expected int, got str");
  require_type_error(call("add", args(1.5, 2)), "add() argument 1: expected int, got float");
  require_type_error(call("upper", args(7)), "upper() argument 1: expected str, got int");
  require_type_error(call("negate", args(1)), "negate() argument 1: expected bool, got int");
  require_type_error(call("half", args(std::string("1"))),
                     "half() argument 1: expected float, got str");
  require_type_error(call("nothing", args(0)), "nothing() argument 1: expected None, got int");
  require_type_error(call("total", args(std::map<std::string, int>{{"a", 1}})),
                     "total() argument 1: expected list[int], got dict");
}

TEST_CASE("integers are range checked for the parameter type", "[sdk][typed]") {
  require_type_error(
      call("add", args(std::int64_t{1} << 40, 1)),
      "add() argument 1: expected int in [-2147483648, 2147483647], got 1099511627776");
  require_type_error(call("small", args(-1)),
                     "small() argument 1: expected int in [0, 255], got -1");
  require_type_error(call("small", args(256)),
                     "small() argument 1: expected int in [0, 255], got 256");
  REQUIRE(unpacked<int>(*call("small", args(255)).result) == 255);
  REQUIRE(unpacked<int>(*call("add", args(-2147483647 - 1, 0)).result) == -2147483647 - 1);
}

TEST_CASE("lists and dicts decode element by element with a path to the bad one", "[sdk][typed]") {
  REQUIRE(unpacked<std::int64_t>(*call("total", args(std::vector<int>{1, 2, 3})).result) == 6);
  REQUIRE(unpacked<std::int64_t>(*call("total", args(std::vector<int>{})).result) == 0);

  msgpack::sbuffer mixed;
  msgpack::packer<msgpack::sbuffer> p(mixed);
  p.pack_array(1);
  p.pack_array(3);
  p.pack(1);
  p.pack(2);
  p.pack(std::string("x"));
  require_type_error(call("total", std::string(mixed.data(), mixed.size())),
                     "total() argument 1[2]: expected int, got str");

  auto out = call("doubled", args(std::map<std::string, int>{{"a", 1}, {"b", 5}}));
  REQUIRE(unpacked<std::map<std::string, int>>(*out.result) ==
          std::map<std::string, int>{{"a", 2}, {"b", 10}});
  require_type_error(call("doubled", args(std::map<std::string, std::string>{{"b", "x"}})),
                     "doubled() argument 1['b']: expected int, got str");
  require_type_error(call("doubled", args(std::map<int, int>{{1, 1}})),
                     "doubled() argument 1: expected dict[str, int], got dict with a int key");

  using Nested = std::unordered_map<std::string, std::vector<std::string>>;
  REQUIRE(unpacked<std::size_t>(
              *call("count_keys", args(Nested{{"a", {"x"}}, {"b", {}}})).result) == 2);
  require_type_error(call("count_keys", args(std::map<std::string, std::vector<int>>{{"k", {1}}})),
                     "count_keys() argument 1['k'][0]: expected str, got int");
}

TEST_CASE("optional parameters take None and may be left out at the end", "[sdk][typed]") {
  auto none = call("maybe", args(nullptr));
  REQUIRE(none.rc == RQCPP_OK);
  REQUIRE(rqcpp::test::kind_of(*none.result) == msgpack::type::NIL);
  REQUIRE(unpacked<int>(*call("maybe", args(4)).result) == 4);
  require_type_error(call("maybe", args(std::string("4"))),
                     "maybe() argument 1: expected int or None, got str");

  REQUIRE(unpacked<std::string>(*call("greet", args(std::string("ann"))).result) == "hello, ann");
  REQUIRE(unpacked<std::string>(*call("greet", args(std::string("ann"), nullptr)).result) ==
          "hello, ann");
  REQUIRE(unpacked<std::string>(
              *call("greet", args(std::string("ann"), std::string("hi"))).result) == "hi, ann");

  auto holes = call("holes", args(std::vector<std::optional<int>>{1, std::nullopt, 3}));
  REQUIRE(unpacked<std::vector<std::optional<int>>>(*holes.result) ==
          std::vector<std::optional<int>>{1, std::nullopt, 3});
}

TEST_CASE("None, any, tuple and bytes parameters", "[sdk][typed]") {
  auto nil = call("nothing", args(nullptr));
  REQUIRE(nil.rc == RQCPP_OK);
  REQUIRE(*nil.result == std::string("\xc0", 1));

  REQUIRE(unpacked<std::string>(*call("kind", args(std::vector<int>{1})).result) == "list");
  REQUIRE(unpacked<std::string>(*call("kind", args(nullptr)).result) == "None");
  REQUIRE(unpacked<std::string>(*call("kind", args(2.5)).result) == "float");

  REQUIRE(unpacked<std::string>(
              *call("pair_text", args(std::make_tuple(7, std::string("x")))).result) == "7:x");
  require_type_error(call("pair_text", args(std::vector<int>{1, 2, 3})),
                     "pair_text() argument 1: expected tuple[int, str], got list of 3 items");
  require_type_error(call("pair_text", args(std::vector<int>{1, 2})),
                     "pair_text() argument 1[1]: expected str, got int");

  auto bytes = call("bytes_reversed", args(std::vector<std::uint8_t>{1, 2, 3}));
  REQUIRE(rqcpp::test::kind_of(*bytes.result) == msgpack::type::BIN);
  REQUIRE(unpacked<std::vector<std::uint8_t>>(*bytes.result) == std::vector<std::uint8_t>{3, 2, 1});
}

TEST_CASE("a void function succeeds without setting a result", "[sdk][typed]") {
  auto out = call("nothing_returned", args());
  REQUIRE(out.rc == RQCPP_OK);
  REQUIRE_FALSE(out.result.has_value());
  REQUIRE_FALSE(out.error_type.has_value());
}

TEST_CASE("keyword arguments are refused unless the function takes rqcpp::Kwargs", "[sdk][typed]") {
  require_type_error(
      call("add", args(1, 2), packed(std::map<std::string, int>{{"x", 1}, {"y", 2}})),
      "add() takes no keyword arguments (got 'x', 'y')");
  REQUIRE(unpacked<int>(*call("add", args(1, 2), packed(std::map<std::string, int>{})).result) ==
          3);

  REQUIRE(unpacked<int>(*call("scale", args(5)).result) == 10);
  REQUIRE(unpacked<int>(
              *call("scale", args(5), packed(std::map<std::string, int>{{"factor", 3}})).result) ==
          15);
  REQUIRE(unpacked<int>(
              *call("scale", args(5), packed(std::map<std::string, int>{{"offset", 1}})).result) ==
          11);
  require_type_error(
      call("scale", args(5), packed(std::map<std::string, std::string>{{"factor", "3"}})),
      "scale() keyword argument 'factor': expected int, got str");
  require_type_error(call("scale", args(5), packed(std::map<std::string, int>{{"bogus", 3}})),
                     "scale() got an unexpected keyword argument 'bogus'");
  require_type_error(call("scale", args()), "scale() takes 1 argument, got 0");

  REQUIRE(unpacked<std::string>(
              *call("need_name", args(), packed(std::map<std::string, std::string>{{"name", "x"}}))
                   .result) == "x");
  require_type_error(call("need_name", args()),
                     "need_name() missing required keyword argument 'name'");
}

TEST_CASE("malformed argument buffers fail with TypeError, not a crash", "[sdk][typed]") {
  require_type_error(call("add", packed(std::map<std::string, int>{{"a", 1}})),
                     "add() arguments must be a list, got dict");
  auto garbage = call("add", std::string("\xc1", 1));
  REQUIRE(garbage.rc == RQCPP_ERROR);
  REQUIRE(garbage.error_type == std::optional<std::string>("TypeError"));
  REQUIRE_THAT(garbage.error_message, Catch::StartsWith("add() arguments are not valid msgpack"));
  auto empty = call("add", std::string());
  REQUIRE(empty.rc == RQCPP_ERROR);
  REQUIRE(empty.error_type == std::optional<std::string>("TypeError"));
  auto bad_kwargs = call("scale", args(1), packed(std::vector<int>{1}));
  REQUIRE(bad_kwargs.error_message == "scale() keyword arguments must be a dict, got list");
}

// Found by tests/fuzz/sdk_args_fuzz.cpp: msgpack-c reserved memory for every
// element an array or map header declares before reading them, so 5 bytes
// declaring 4 billion elements asked for 128 GB (an abort under ASan, a
// bad_alloc or a huge reservation elsewhere). Such headers are now refused by
// their size alone.
TEST_CASE("a container header declaring more elements than the buffer holds is a TypeError",
          "[sdk][typed]") {
  const std::string huge_array("\xdd\xff\xff\xff\xff", 5);
  auto args_out = call("add", huge_array);
  REQUIRE(args_out.rc == RQCPP_ERROR);
  REQUIRE(args_out.error_type == std::optional<std::string>("TypeError"));
  REQUIRE(args_out.error_message == "add() arguments are not valid msgpack: array size overflow");
  // The same inside a complete-looking list, and in the keyword arguments.
  auto nested = call("total", std::string("\x91\xdd\x10\x00\x00\x00", 6));
  REQUIRE(nested.error_message == "total() arguments are not valid msgpack: array size overflow");
  auto kwargs = call("scale", args(1), std::string("\xdf\xff\xff\xff\xff", 5));
  REQUIRE(kwargs.rc == RQCPP_ERROR);
  REQUIRE(kwargs.error_message ==
          "scale() keyword arguments are not valid msgpack: map size overflow");
  // Within the limit, the same headers still mean what they say.
  REQUIRE(unpacked<int>(*call("add", std::string("\xdd\x00\x00\x00\x02\x01\x02", 7)).result) == 3);
}

TEST_CASE("the manifest lists every RQCPP_JOB of the binary, sorted, with docs",
          "[sdk][manifest]") {
  const rqcpp_manifest& m = rqcpp::test::in_process_manifest();
  REQUIRE(m.abi_version == RQCPP_ABI_VERSION);
  REQUIRE(std::string(m.plugin_name) == "sdk_test");
  REQUIRE(std::string(m.plugin_version) == "0.0.1");
  REQUIRE(&m == &rqcpp::test::in_process_manifest());  // same manifest on every call
  std::vector<std::string> names;
  for (size_t i = 0; i < m.function_count; ++i) {
    names.emplace_back(m.functions[i].name);
    REQUIRE(m.functions[i].fn != nullptr);
    REQUIRE(m.functions[i].doc != nullptr);
  }
  REQUIRE(std::is_sorted(names.begin(), names.end()));
  REQUIRE(std::adjacent_find(names.begin(), names.end()) == names.end());
  for (const char* expected :
       {"add", "upper", "need_name", "scale", "raise_runtime", "set_progress"}) {
    INFO(expected);
    REQUIRE(std::find(names.begin(), names.end(), expected) != names.end());
  }
  REQUIRE(
      std::string(m.functions[std::find(names.begin(), names.end(), "add") - names.begin()].doc) ==
      "int + int");
}

TEST_CASE("job names are the unqualified identifier and are checked at compile time",
          "[sdk][manifest]") {
  using rqcpp::sdk_detail::FixedString;
  STATIC_REQUIRE(std::string_view(FixedString("a::b::fn").unqualified().value) == "fn");
  STATIC_REQUIRE(std::string_view(FixedString("fn").unqualified().value) == "fn");
  STATIC_REQUIRE(FixedString("good_name2").is_valid_job_name());
  STATIC_REQUIRE_FALSE(FixedString("a:b").is_valid_job_name());
  STATIC_REQUIRE_FALSE(FixedString("sum<int>").is_valid_job_name());
  STATIC_REQUIRE_FALSE(FixedString("").is_valid_job_name());
}
