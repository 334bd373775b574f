// RQ's default description: func_name(repr(arg), ..., k=repr(v)) with every
// repr cut at 75 characters (docs/redis-layout.md 2.2).
#include <catch2/catch.hpp>
#include <map>
#include <optional>
#include <tuple>
#include <vector>

#include "rqcpp/args.hpp"
#include "rqcpp/serialization.hpp"
#include "test_helpers.hpp"

using namespace rqcpp;
using rqcpp::test::pack;
using rqcpp::test::unhex;

namespace {
std::string f64(double d) {
  return Args::float64(d);
}
}  // namespace

TEST_CASE("python_repr prints values as Python would", "[repr]") {
  CHECK(python_repr(pack(5)) == "5");
  CHECK(python_repr(pack(-7)) == "-7");
  CHECK(python_repr(f64(2.5)) == "2.5");
  CHECK(python_repr(f64(1.0)) == "1.0");
  CHECK(python_repr(f64(0.1)) == "0.1");
  CHECK(python_repr(f64(-0.0)) == "-0.0");
  CHECK(python_repr(f64(1e16)) == "1e+16");
  CHECK(python_repr(f64(1e-5)) == "1e-05");
  CHECK(python_repr(f64(0.0001)) == "0.0001");
  CHECK(python_repr(f64(123456789.123)) == "123456789.123");
  CHECK(python_repr(f64(1e22)) == "1e+22");
  CHECK(python_repr(pack(true)) == "True");
  CHECK(python_repr(unhex("c0")) == "None");
  CHECK(python_repr(pack(std::string("hi"))) == "'hi'");
  CHECK(python_repr(pack(std::string("it's"))) == "\"it's\"");
  CHECK(python_repr(pack(std::string("a'b\"c"))) == "'a\\'b\"c'");
  CHECK(python_repr(pack(std::string("tab\there\n\\"))) == "'tab\\there\\n\\\\'");
  CHECK(python_repr(pack(std::string("\x01\x7f"))) == "'\\x01\\x7f'");
  CHECK(python_repr(pack(std::string("caf\xc3\xa9"))) == "'caf\xc3\xa9'");
  CHECK(python_repr(pack(std::string("\xc2\xa0"))) == "'\\xa0'");
  CHECK(python_repr(unhex("c4 03 61 00 27")) == "b\"a\\x00'\"");
  CHECK(python_repr(pack(std::make_tuple(1, std::string("a")))) == "[1, 'a']");
  CHECK(python_repr(pack(std::map<std::string, int>{{"x", 1}, {"y", 2}})) == "{'x': 1, 'y': 2}");
  CHECK(python_repr(unhex("80")) == "{}");
  CHECK(python_repr(unhex("90")) == "[]");
}

TEST_CASE("call_description follows RQ's get_call_string", "[repr]") {
  JobCall c;
  c.func_name = "mylib:add";
  c.args = Args::of(2, 3).args_msgpack();
  CHECK(call_description(c) == "mylib:add(2, 3)");

  c.args = Args::of(std::string("x")).args_msgpack();
  // RQ sorts the "k=repr" strings: "a=2" < "a_b=1" because '=' < '_'.
  c.kwargs = Args().kwarg("a_b", 1).kwarg("a", 2).kwarg("z", std::string("q")).kwargs_msgpack();
  CHECK(call_description(c) == "mylib:add('x', a=2, a_b=1, z='q')");

  c.args = "\x90";
  c.kwargs = "\x80";
  CHECK(call_description(c) == "mylib:add()");

  // Each repr longer than 75 characters is cut to 75 plus "...".
  std::string long_text(100, 'a');
  c.args = Args::of(long_text).args_msgpack();
  std::string cut = "'" + std::string(74, 'a') + "...";
  CHECK(call_description(c) == "mylib:add(" + cut + ")");
  std::string exact(73, 'b');  // repr is 75 chars: not cut
  c.args = Args::of(exact).args_msgpack();
  CHECK(call_description(c) == "mylib:add('" + exact + "')");
  // The cut counts characters, not bytes.
  std::string accents;
  for (int i = 0; i < 80; ++i) accents += "\xc3\xa9";
  c.args = Args::of(accents).args_msgpack();
  std::string expect = "'";
  for (int i = 0; i < 74; ++i) expect += "\xc3\xa9";
  CHECK(call_description(c) == "mylib:add(" + expect + "...)");
  c.args = "\x90";
  c.kwargs = Args().kwarg("k", std::vector<int>(40, 1)).kwargs_msgpack();
  std::string list = "[1";
  for (int i = 1; i < 40; ++i) list += ", 1";
  list += "]";
  CHECK(call_description(c) == "mylib:add(k=" + list.substr(0, 75) + "...)");
}
