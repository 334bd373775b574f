#include "rqcpp/timestamp.hpp"

#include <catch2/catch.hpp>

using namespace rqcpp;

TEST_CASE("timestamps use RQ's TS format", "[timestamp]") {
  auto t = Clock::time_point(std::chrono::microseconds(1795897137972214LL));
  CHECK(format_timestamp(t) == "2026-11-28T20:18:57.972214Z");
  auto zero = Clock::time_point(std::chrono::seconds(1767225600));
  CHECK(format_timestamp(zero) == "2026-01-01T00:00:00.000000Z");
  CHECK(now_timestamp().size() == 27);
}

TEST_CASE("parse_timestamp accepts RQ's two read formats only", "[timestamp]") {
  auto t = parse_timestamp("2026-11-28T20:18:57.972214Z");
  REQUIRE(t);
  CHECK(format_timestamp(*t) == "2026-11-28T20:18:57.972214Z");
  auto s = parse_timestamp("2026-01-01T00:00:00Z");
  REQUIRE(s);
  CHECK(unix_seconds(*s) == 1767225600);
  auto short_frac = parse_timestamp("2026-01-01T00:00:00.5Z");
  REQUIRE(short_frac);
  CHECK(format_timestamp(*short_frac) == "2026-01-01T00:00:00.500000Z");
  CHECK_FALSE(parse_timestamp(""));
  CHECK_FALSE(parse_timestamp("2026-01-01T00:00:00"));
  CHECK_FALSE(parse_timestamp("2026-01-01 00:00:00Z"));
  CHECK_FALSE(parse_timestamp("2026-01-01T00:00:00+00:00"));
  CHECK_FALSE(parse_timestamp("2026-02-30T00:00:00Z"));
  CHECK_FALSE(parse_timestamp("2026-01-01T00:00:00.1234567Z"));
}

TEST_CASE("unix_seconds truncates like RQ's NOW", "[timestamp]") {
  auto t = Clock::time_point(std::chrono::milliseconds(1795897137999));
  CHECK(unix_seconds(t) == 1795897137);
  CHECK(now_seconds() > 1700000000);
}

TEST_CASE("parse_duration takes RQ's timeout forms", "[timestamp]") {
  CHECK(parse_duration("180") == 180);
  CHECK(parse_duration("-1") == -1);
  CHECK(parse_duration("1h") == 3600);
  CHECK(parse_duration("3m") == 180);
  CHECK(parse_duration("5s") == 5);
  CHECK(parse_duration("2d") == 172800);
  CHECK(parse_duration("2H") == 7200);
  CHECK_THROWS_AS(parse_duration(""), std::invalid_argument);
  CHECK_THROWS_AS(parse_duration("h"), std::invalid_argument);
  CHECK_THROWS_AS(parse_duration("1w"), std::invalid_argument);
  CHECK_THROWS_AS(parse_duration("1.5h"), std::invalid_argument);
  CHECK_THROWS_AS(parse_duration("99999999999999999999"), std::invalid_argument);
  CHECK_THROWS_WITH(parse_duration("abc"), Catch::Contains("abc"));
}
