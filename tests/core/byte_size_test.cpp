// Sizes in bytes: the one parser of --job-memory-limit, rqctl's
// --memory-limit and meta rqcpp_limits.memory.
#include "rqcpp/byte_size.hpp"

#include <catch2/catch.hpp>
#include <stdexcept>

using Catch::Matchers::Contains;
using rqcpp::format_byte_size;
using rqcpp::parse_byte_size;

TEST_CASE("parse_byte_size: bytes and binary units", "[core][size]") {
  CHECK(parse_byte_size("0") == 0);
  CHECK(parse_byte_size("4096") == 4096);
  CHECK(parse_byte_size("4096B") == 4096);
  CHECK(parse_byte_size("512K") == 512ULL << 10);
  CHECK(parse_byte_size("256M") == 256ULL << 20);
  CHECK(parse_byte_size("256m") == 256ULL << 20);
  CHECK(parse_byte_size("256MiB") == 256ULL << 20);
  CHECK(parse_byte_size("256MB") == 256ULL << 20);
  CHECK(parse_byte_size("1G") == 1ULL << 30);
  CHECK(parse_byte_size("2T") == 2ULL << 40);
  CHECK(parse_byte_size("16777215T") == 16777215ULL << 40);
}

TEST_CASE("parse_byte_size refuses what is not a size", "[core][size]") {
  for (const char* bad : {"", "M", "B", "-1", "+5", "1.5G", "12X", "5P", "5iB", "1 G", "G1",
                          "16777216T", "99999999999999999999"}) {
    INFO(bad);
    CHECK_THROWS_AS(parse_byte_size(bad), std::invalid_argument);
  }
  CHECK_THROWS_WITH(parse_byte_size("12X"), Contains("invalid size '12X'") && Contains("256M"));
}

TEST_CASE("format_byte_size names the largest exact unit", "[core][size]") {
  CHECK(format_byte_size(0) == "0 bytes");
  CHECK(format_byte_size(100) == "100 bytes");
  CHECK(format_byte_size(1536) == "1536 bytes");
  CHECK(format_byte_size(1536ULL << 10) == "1536 KiB");
  CHECK(format_byte_size(256ULL << 20) == "256 MiB");
  CHECK(format_byte_size(1ULL << 30) == "1 GiB");
  CHECK(format_byte_size(4ULL << 40) == "4 TiB");
}
