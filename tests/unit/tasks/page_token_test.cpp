#include <catch2/catch.hpp>

#include "tasks/page_token.hpp"

using namespace workstream;
using namespace workstream::tasks;

TEST_CASE("page tokens: round trip and refuse tampering") {
  const PageCursor cursor{Timestamp(std::chrono::microseconds(1'763'812'345'678'901)),
                          "0af76519-16cd-43dd-8448-eb211c80319c"};
  const auto token = encodePageToken(cursor);
  CHECK(token.find(cursor.id) == std::string::npos);  // opaque
  auto decoded = decodePageToken(token);
  REQUIRE(decoded);
  CHECK(decoded->createdAt == cursor.createdAt);
  CHECK(decoded->id == cursor.id);

  CHECK_FALSE(decodePageToken(""));
  CHECK_FALSE(decodePageToken("abc"));                              // odd length
  CHECK_FALSE(decodePageToken("zz"));                               // not hex
  CHECK_FALSE(decodePageToken(token.substr(0, token.size() - 2)));  // truncated id
  CHECK_FALSE(decodePageToken("63323a313a78"));                     // "c2:1:x": unknown version
  CHECK_FALSE(decodePageToken(std::string(400, 'a')));              // oversize
}
