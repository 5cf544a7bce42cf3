#include <catch2/catch.hpp>

#include "workstream/core/time.hpp"

using workstream::parseRfc3339;

TEST_CASE("time: RFC 3339 with a Z or a numeric offset") {
  const auto z = parseRfc3339("2026-11-22T10:00:00Z");
  REQUIRE(z);
  CHECK(parseRfc3339("2026-11-22T10:00:00.000000Z") == z);
  CHECK(parseRfc3339("2026-11-22T11:30:00+01:30") == z);
  CHECK(parseRfc3339("2026-11-22T00:00:00-10:00") == z);
  CHECK(parseRfc3339("2026-11-23T09:59:00+23:59"));
}

TEST_CASE("time: offsets and fields out of range are refused") {
  for (const char* text :
       {"2026-11-22T10:00:00+99:99", "2026-11-22T10:00:00+24:00", "2026-11-22T10:00:00-00:60",
        "2026-11-22T10:00:00+1:000", "2026-13-22T10:00:00Z", "2026-11-22T24:00:00Z",
        "2026-+1-22T10:00:00Z", "2026- 1-22T10:00:00Z", "-026-11-22T10:00:00Z",
        "2026-11-22T10:00:0Z", "2026-11-22", ""}) {
    CAPTURE(text);
    CHECK_FALSE(parseRfc3339(text));
  }
}
