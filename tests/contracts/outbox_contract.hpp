#pragma once

// The OutboxStore contract (include/workstream/tasks/outbox.hpp) as the relay
// relies on it, run against every adapter: the in-memory outbox in the unit
// tests, Postgres in the integration tests. Leadership between two relays
// needs two sessions and is the Postgres relay tests' business.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <functional>
#include <thread>

#include "workstream/tasks/outbox.hpp"

namespace workstream::contracts {

struct OutboxHarness {
  tasks::OutboxStore& store;
  // Commits one event of a new task as a writer would; returns its event id.
  std::function<std::string()> write;
};

inline std::vector<std::string> idsOf(const std::vector<tasks::PendingEvent>& events) {
  std::vector<std::string> ids;
  for (const auto& e : events) ids.push_back(e.eventId);
  return ids;
}

inline void checkOutboxContract(OutboxHarness& h) {
  using namespace std::chrono_literals;
  auto& store = h.store;
  REQUIRE(store.lead());
  CHECK(store.lead());  // holding it, it keeps it
  CHECK(store.pending(10).empty());
  CHECK(store.stats().pending == 0);
  CHECK(store.stats().oldestPendingSeconds == 0);

  // Pending: oldest first, as written, up to the limit, with what the relay needs.
  std::vector<std::string> written;
  for (int i = 0; i < 4; ++i) written.push_back(h.write());
  auto pending = store.pending(10);
  CHECK(idsOf(pending) == written);
  CHECK(idsOf(store.pending(2)) == std::vector<std::string>(written.begin(), written.begin() + 2));
  for (std::size_t i = 1; i < pending.size(); ++i) {
    CHECK(pending[i].position > pending[i - 1].position);
  }
  for (const auto& e : pending) {
    CHECK(e.eventType == "workstream.task.created.v1");
    CHECK(e.routingKey == "workstream.task.created");
    CHECK(e.envelopeJson.find(e.eventId) != std::string::npos);
    CHECK(e.traceId.size() == 32);
    CHECK(e.producer == "workstream-tasks");
    // The AMQP timestamp's seconds: Postgres rounds them, the fake floors.
    CHECK(std::abs(e.createdAtMicros / 1'000'000 - e.createdAtSeconds) <= 1);
    CHECK(e.createdAtSeconds > 1'700'000'000);
  }
  std::this_thread::sleep_for(50ms);
  auto stats = store.stats();
  CHECK(stats.pending == 4);
  CHECK(stats.oldestPendingSeconds >= 0.04);

  // Marked published: exactly those leave pending, the order of the rest holds.
  const auto sentAt = systemNow() - 1s;
  store.markPublished({pending[0].position, pending[2].position}, sentAt);
  CHECK(idsOf(store.pending(10)) == std::vector<std::string>{written[1], written[3]});
  CHECK(store.stats().pending == 2);

  // Pruning: only published rows older than the retention, at most `limit`.
  CHECK(store.prune(1h, 10) == 0);
  CHECK(store.prune(0ms, 1) == 1);
  CHECK(store.prune(0ms, 10) == 1);
  CHECK(store.prune(0ms, 10) == 0);
  CHECK(idsOf(store.pending(10)) == std::vector<std::string>{written[1], written[3]});

  store.markPublished({pending[1].position, pending[3].position}, systemNow());
  CHECK(store.pending(10).empty());
  CHECK(store.stats().oldestPendingSeconds == 0);

  // A wait ends when an event is written, or after its timeout. Writes not
  // waited for yet may end the next wait at once: that one takes them.
  store.waitForEvents(100ms);
  auto started = std::chrono::steady_clock::now();
  store.waitForEvents(300ms);
  CHECK(std::chrono::steady_clock::now() - started >= 250ms);
  std::thread writer([&] {
    std::this_thread::sleep_for(200ms);
    h.write();
  });
  started = std::chrono::steady_clock::now();
  store.waitForEvents(10s);
  const auto waited = std::chrono::steady_clock::now() - started;
  writer.join();
  CHECK(waited < 5s);
  CHECK(store.pending(10).size() == 1);

  // wake() ends a wait under way at once, from another thread; one made
  // before a wait ends that wait at once.
  std::thread waker([&] {
    std::this_thread::sleep_for(200ms);
    store.wake();
  });
  started = std::chrono::steady_clock::now();
  store.waitForEvents(10s);
  const auto woken = std::chrono::steady_clock::now() - started;
  waker.join();
  CHECK(woken >= 150ms);
  CHECK(woken < 5s);
  store.wake();
  started = std::chrono::steady_clock::now();
  store.waitForEvents(10s);
  CHECK(std::chrono::steady_clock::now() - started < 5s);

  // After a reset the store carries on (reconnecting), leading again.
  store.reset();
  CHECK(store.lead());
  CHECK(store.pending(10).size() == 1);
}

}  // namespace workstream::contracts
