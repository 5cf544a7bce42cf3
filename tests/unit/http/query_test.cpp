#include "workstream/http/query.hpp"

#include <catch2/catch.hpp>

#include "workstream/core/cursor.hpp"

using namespace workstream;

TEST_CASE("query strings: decoded in order, malformed or repeated names refused") {
  auto params = http::parseQuery("status=open&limit=5&event_type=a%2Eb+c");
  REQUIRE(params.ok());
  REQUIRE(params->size() == 3);
  CHECK((*params)[0].name == "status");
  CHECK((*params)[2].value == "a.b+c");  // "+" stays itself, as before
  CHECK(http::parseQuery("").ok());

  auto twice = http::parseQuery("limit=1&limit=2");
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.error().field == "limit");
  CHECK(twice.error().message == "limit is given twice");

  auto malformed = http::parseQuery("a=%zz");
  REQUIRE_FALSE(malformed.ok());
  CHECK(malformed.error().field == "query");
}

TEST_CASE("query strings: bounded whole numbers only") {
  CHECK(http::parseBoundedInt("1", 1, 100) == 1);
  CHECK(http::parseBoundedInt("100", 1, 100) == 100);
  for (const char* bad : {"0", "101", "-1", "+1", " 1", "1 ", "1.0", "", "99999999999"}) {
    INFO(bad);
    CHECK_FALSE(http::parseBoundedInt(bad, 1, 100));
  }
}

TEST_CASE("cursors: round trip, anything else refused") {
  const std::string id = "0af76519-16cd-43dd-8448-eb211c80319c";
  const auto cursor = encodeCursor("c1:", 1'700'000'000'000'000, id);
  CHECK(cursor.find_first_not_of("0123456789abcdef") == std::string::npos);
  auto back = decodeCursor("c1:", cursor, 0, 2'000'000'000'000'000);
  REQUIRE(back);
  CHECK(back->first == 1'700'000'000'000'000);
  CHECK(back->second == id);

  CHECK_FALSE(decodeCursor("c2:", cursor, 0, 2'000'000'000'000'000));            // another kind
  CHECK_FALSE(decodeCursor("c1:", cursor, 0, 1'000));                            // out of range
  CHECK_FALSE(decodeCursor("c1:", cursor.substr(1), 0, 2'000'000'000'000'000));  // odd
  CHECK_FALSE(decodeCursor("", encodeCursor("", 5, "not-a-uuid"), 0, 10));
  CHECK_FALSE(decodeCursor("", encodeCursor("", -5, id), 0, 10));
  CHECK_FALSE(decodeCursor("", "zz", 0, 10));
  CHECK_FALSE(decodeCursor("", std::string(202, 'a'), 0, 10));
}
