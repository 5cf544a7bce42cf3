#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "workstream/core/time.hpp"

namespace workstream::tasks {

struct PendingEvent {
  std::int64_t position = 0;  // publish order
  std::string eventId;
  std::string eventType;
  std::string routingKey;
  std::string envelopeJson;
  std::string traceId;
  std::string producer;
  std::int64_t createdAtSeconds = 0;
  std::int64_t createdAtMicros = 0;  // the commit, for the commit-to-publish lag
};

struct OutboxStats {
  std::int64_t pending = 0;
  double oldestPendingSeconds = 0;  // 0 when nothing is pending
};

// The outbox as the relay sees it. One relay leads at a time; leadership is
// held by a session (it ends when the relay's connection does, so another
// takes over at once). Infrastructure failures throw Unavailable.
class OutboxStore {
 public:
  virtual ~OutboxStore() = default;
  // Takes leadership if nobody holds it; true while this store holds it.
  virtual bool lead() = 0;
  // Unpublished events, oldest first.
  virtual std::vector<PendingEvent> pending(int limit) = 0;
  // `sentAt` is when the relay handed them to the broker: a consumer may
  // receive an event before its confirm comes back, never before that.
  virtual void markPublished(const std::vector<std::int64_t>& positions, Timestamp sentAt) = 0;
  // Returns when events were written (NOTIFY), at wake(), or after `timeout`.
  virtual void waitForEvents(std::chrono::milliseconds timeout) = 0;
  // Ends the wait under way, or else the next one, at once. Any thread may
  // call it, and it never blocks: for events written by this process, whose
  // commits do not NOTIFY.
  virtual void wake() = 0;
  // Wakes the leading relay, in whichever process it runs (NOTIFY).
  virtual void notifyLeader() = 0;
  virtual OutboxStats stats() = 0;
  // Deletes up to `limit` of the events published longer than `retention`
  // ago, oldest first; returns how many. Bounded, so that it never holds up
  // publishing or writers for long: call again while it returns `limit`.
  virtual std::int64_t prune(std::chrono::milliseconds retention, int limit) = 0;
  // Drops the connection (and leadership); the next call reconnects.
  virtual void reset() = 0;
};

}  // namespace workstream::tasks
