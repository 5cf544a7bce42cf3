#pragma once

// The DedupStore contract (include/workstream/events/dedup_store.hpp), run
// against every adapter: the in-memory fake in the unit tests, Redis in the
// integration tests.
#include <catch2/catch.hpp>
#include <thread>

#include "workstream/core/uuid.hpp"
#include "workstream/events/dedup_store.hpp"

namespace workstream::contracts {

inline void checkDedupStoreContract(events::DedupStore& store) {
  using namespace std::chrono_literals;
  const auto fresh = newUuid();
  CHECK_FALSE(store.processed(fresh));

  // A claim is exclusive until released or processed.
  CHECK(store.claim(fresh, 60s));
  CHECK_FALSE(store.claim(fresh, 60s));
  CHECK_FALSE(store.processed(fresh));  // claimed is not processed
  store.release(fresh);
  CHECK(store.claim(fresh, 60s));

  // Processing ends the claim for good: no claim, and a release keeps it.
  store.markProcessed(fresh);
  CHECK(store.processed(fresh));
  CHECK_FALSE(store.claim(fresh, 60s));
  store.release(fresh);
  CHECK(store.processed(fresh));

  // Marks without a claim first, and each event on its own.
  const auto other = newUuid();
  store.markProcessed(other);
  CHECK(store.processed(other));
  CHECK_FALSE(store.processed(newUuid()));

  // Releasing what was never claimed changes nothing.
  const auto unclaimed = newUuid();
  store.release(unclaimed);
  CHECK(store.claim(unclaimed, 60s));

  // Several at once: answers in order; a claim is not processed; marking
  // several marks each, and none of the others.
  const auto batchFresh = newUuid(), batchClaimed = newUuid(), batchLater = newUuid();
  CHECK(store.claim(batchClaimed, 60s));
  CHECK(store.processedAll({other, batchFresh, batchClaimed, fresh}) ==
        std::vector<bool>{true, false, false, true});
  CHECK(store.processedAll({}).empty());
  store.markProcessedAll({batchFresh, batchClaimed});
  store.markProcessedAll({});
  CHECK(store.processedAll({batchClaimed, batchLater, batchFresh}) ==
        std::vector<bool>{true, false, true});
  CHECK_FALSE(store.claim(batchFresh, 60s));

  // A claim expires with its TTL (a crashed holder does not block forever).
  const auto expiring = newUuid();
  CHECK(store.claim(expiring, 1s));
  std::this_thread::sleep_for(2100ms);
  CHECK(store.claim(expiring, 60s));
}

}  // namespace workstream::contracts
