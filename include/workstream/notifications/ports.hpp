#pragma once

// The ports of the notifications module. Each adapter throws Unavailable when
// its server cannot be reached; the processor turns that into a retry.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "workstream/core/time.hpp"
#include "workstream/events/dedup_store.hpp"

namespace workstream::notifications {

using events::DedupStore;

// A processed event, as kept for observability and debugging.
struct NotificationRecord {
  std::string eventId;
  std::string eventType;
  std::string occurredAt;
  std::string producer;
  std::string traceId;
  std::string taskId;       // from the payload, for filtering
  std::string payloadJson;  // a snapshot of the payload
  Timestamp receivedAt;
  Timestamp processedAt;
  int attempt = 1;
  std::string mailRequestId;  // the event id of the mail request it published; empty if none
};

struct RecordQuery {
  std::optional<std::string> eventType;
  std::optional<std::string> taskId;
  std::optional<Timestamp> since;  // received at or after
  int limit = 20;
  std::optional<std::pair<Timestamp, std::string>> after;  // (received_at, event_id) cursor
};

// Append-only records, unique by event id.
class RecordStore {
 public:
  virtual ~RecordStore() = default;
  // False when a record with this event id exists already (nothing changes).
  virtual bool insert(const NotificationRecord& record) = 0;
  // The same for records that arrived together, in one round trip where the
  // server allows: each is inserted or found there before, whatever the
  // others are; the answers are in the order of `records`.
  virtual std::vector<bool> insertAll(const std::vector<NotificationRecord>& records) {
    std::vector<bool> fresh;
    fresh.reserve(records.size());
    for (const auto& record : records) fresh.push_back(insert(record));
    return fresh;
  }
  virtual std::optional<NotificationRecord> find(const std::string& eventId) = 0;
  // Newest first: received_at, then event_id, descending.
  virtual std::vector<NotificationRecord> list(const RecordQuery& query) = 0;
};

}  // namespace workstream::notifications
