#include "rabbitmq/ack_batcher.hpp"

#include <catch2/catch.hpp>

using workstream::amqp::AckBatcher;
using Acks = std::vector<AckBatcher::Ack>;

namespace {

AckBatcher deliveredUpTo(std::uint64_t last) {
  AckBatcher batcher;
  for (std::uint64_t tag = 1; tag <= last; ++tag) batcher.delivered(tag);
  return batcher;
}

}  // namespace

TEST_CASE("a run of ready deliveries from the oldest unsettled is one multiple ack") {
  auto batcher = deliveredUpTo(5);
  batcher.ready(2);
  batcher.ready(1);
  batcher.ready(3);
  CHECK(batcher.take() == Acks{{3, true}});
  batcher.ready(4);
  CHECK(batcher.take() == Acks{{4, false}});  // a run of one needs no multiple
}

TEST_CASE("a delivery still being handled is never covered by a multiple ack") {
  auto batcher = deliveredUpTo(6);
  batcher.ready(1);
  batcher.ready(2);
  batcher.ready(4);
  batcher.ready(6);  // 3 and 5 are in flight
  CHECK(batcher.take() == Acks{{2, true}, {4, false}, {6, false}});
  batcher.ready(3);
  batcher.ready(5);
  // 4 and 6 are settled already: 3 and 5 are the run from the oldest.
  CHECK(batcher.take() == Acks{{5, true}});
}

TEST_CASE("nothing ready, nothing sent") {
  auto batcher = deliveredUpTo(3);
  CHECK(batcher.take().empty());
  batcher.ready(2);
  CHECK(batcher.take() == Acks{{2, false}});
  CHECK(batcher.take().empty());
}

TEST_CASE("a nacked delivery does not break the run after it") {
  auto batcher = deliveredUpTo(4);
  batcher.forget(1);  // requeued with a nack
  batcher.ready(2);
  batcher.ready(3);
  CHECK(batcher.take() == Acks{{3, true}});
}

TEST_CASE("deliveries left for the broker stay unacknowledged") {
  // Stopping: 2 was queued and dropped, never handled; a multiple ack of 3
  // would settle it, and its message would be lost.
  auto batcher = deliveredUpTo(3);
  batcher.ready(1);
  batcher.ready(3);
  CHECK(batcher.take() == Acks{{1, false}, {3, false}});
}

TEST_CASE("a new channel starts from nothing") {
  auto batcher = deliveredUpTo(3);
  batcher.ready(1);
  batcher.reset();
  batcher.delivered(1);
  batcher.delivered(2);
  batcher.ready(2);
  CHECK(batcher.take() == Acks{{2, false}});
}
