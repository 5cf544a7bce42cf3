#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "workstream/core/log.hpp"
#include "workstream/core/metrics.hpp"
#include "workstream/core/readiness.hpp"
#include "workstream/events/publisher.hpp"
#include "workstream/tasks/outbox.hpp"

namespace workstream::tasks {

struct RelayOptions {
  int batchSize = 100;
  std::chrono::milliseconds pollInterval{1000};           // fallback when no NOTIFY comes
  std::chrono::milliseconds maxPendingAge{60'000};        // older: not ready
  std::chrono::milliseconds retention{24 * 3600 * 1000};  // keep published rows this long
  int pruneBatch = 5000;              // rows deleted per statement; publishing goes on in between
  std::function<void()> onFirstRead;  // the outbox was read: check() can answer now
};

// Publishes the outbox, in order, on a thread of its own. Only the leader
// publishes; the others wait to take over. A row is marked published only
// after the broker confirmed it; while the broker or the database is down,
// rows wait and the relay retries with backoff. Nothing is lost; after a
// failure an event may be published twice (consumers deduplicate).
class OutboxRelay {
 public:
  OutboxRelay(OutboxStore& store, events::EventPublisher& publisher, RelayOptions options,
              Logger log, Metrics& metrics);
  ~OutboxRelay();

  void start();
  void stop();
  bool leading() const { return leading_; }
  // This process committed events, on sessions whose commits do not NOTIFY
  // (PgTaskStore::wakesRelaySettings): the relay publishes them at once if
  // it leads, and otherwise passes one NOTIFY on to the leader for all it
  // was told of meanwhile. Any thread may call it; it never blocks.
  void eventsWritten();
  // Not ready while the oldest unpublished event is older than maxPendingAge.
  CheckResult check() const;

 private:
  void run();
  void publishBatch(const std::vector<PendingEvent>& batch);
  void housekeeping();
  void prune(std::chrono::steady_clock::time_point now);
  void pause(std::chrono::milliseconds duration);
  bool awaitWrites(std::chrono::milliseconds duration);

  OutboxStore& store_;
  events::EventPublisher& publisher_;
  RelayOptions options_;
  Logger log_;
  Gauge& pendingGauge_;
  Gauge& oldestGauge_;
  Counter& published_;
  Histogram& publishLag_;
  Gauge& activeGauge_;

  std::atomic<bool> leading_{false};
  std::atomic<double> oldestPendingSeconds_{0};
  std::atomic<bool> statsKnown_{false};
  std::chrono::steady_clock::time_point nextStats_{}, nextPrune_{};
  bool pruning_ = false;  // a pruning run has more batches to go
  std::int64_t prunedInRun_ = 0;

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool written_ = false;  // eventsWritten() since the relay last read or passed it on
  std::thread thread_;
};

}  // namespace workstream::tasks
