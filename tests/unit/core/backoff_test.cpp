#include <catch2/catch.hpp>

#include "workstream/core/backoff.hpp"

using namespace workstream;
using std::chrono::milliseconds;

TEST_CASE("backoff: doubles from the first pause up to the cap, and starts over after a success") {
  Backoff backoff({milliseconds(100), milliseconds(350)});
  CHECK_FALSE(backoff.failing());
  CHECK(backoff.next() == milliseconds(100));
  CHECK(backoff.failing());
  CHECK(backoff.next() == milliseconds(200));
  CHECK(backoff.next() == milliseconds(350));
  CHECK(backoff.next() == milliseconds(350));
  backoff.reset();
  CHECK_FALSE(backoff.failing());
  CHECK(backoff.next() == milliseconds(100));
}
