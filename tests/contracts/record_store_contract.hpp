#pragma once

// The RecordStore contract (include/workstream/notifications/ports.hpp), run
// against every adapter: the in-memory fake in the unit tests, MongoDB
// (FerretDB here) in the integration tests. Each run uses a task id of its
// own, so a shared store does not disturb it.
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include "workstream/core/uuid.hpp"
#include "workstream/notifications/ports.hpp"

namespace workstream::contracts {

inline notifications::NotificationRecord recordAt(const std::string& taskId, Timestamp receivedAt,
                                                  const std::string& eventType) {
  notifications::NotificationRecord r;
  r.eventId = newUuid();
  r.eventType = eventType;
  r.occurredAt = "2026-11-30T10:00:00.000000Z";
  r.producer = "workstream-tasks";
  r.traceId = "0af7651916cd43dd8448eb211c80319c";
  r.taskId = taskId;
  r.payloadJson = R"({"task_id":")" + taskId + R"(","title":"contract"})";
  r.receivedAt = receivedAt;
  r.processedAt = receivedAt + std::chrono::milliseconds(3);
  r.attempt = 2;
  r.mailRequestId = newUuid();
  return r;
}

inline std::vector<std::string> idsOf(const std::vector<notifications::NotificationRecord>& rs) {
  std::vector<std::string> out;
  for (const auto& r : rs) out.push_back(r.eventId);
  return out;
}

inline void checkRecordStoreContract(notifications::RecordStore& store) {
  using std::chrono::milliseconds;
  const auto taskId = newUuid();
  // Whole milliseconds: what MongoDB's dates keep.
  const auto t0 = std::chrono::floor<milliseconds>(systemNow());
  const char* created = "workstream.task.created.v1";
  const char* completed = "workstream.task.completed.v1";

  // Insert, then find gives back every field.
  const auto first = recordAt(taskId, t0, created);
  CHECK(store.insert(first));
  const auto found = store.find(first.eventId);
  REQUIRE(found);
  CHECK(found->eventId == first.eventId);
  CHECK(found->eventType == first.eventType);
  CHECK(found->occurredAt == first.occurredAt);
  CHECK(found->producer == first.producer);
  CHECK(found->traceId == first.traceId);
  CHECK(found->taskId == first.taskId);
  CHECK(boost::json::parse(found->payloadJson) == boost::json::parse(first.payloadJson));
  CHECK(found->receivedAt == first.receivedAt);
  CHECK(found->processedAt == first.processedAt);
  CHECK(found->attempt == first.attempt);
  CHECK(found->mailRequestId == first.mailRequestId);
  CHECK_FALSE(store.find(newUuid()));

  // Unique by event id: a second insert changes nothing.
  auto again = first;
  again.eventType = completed;
  again.attempt = 5;
  CHECK_FALSE(store.insert(again));
  CHECK(store.find(first.eventId)->eventType == created);
  CHECK(store.find(first.eventId)->attempt == 2);

  // Four more, one sharing t0 + 2 ms with another (the event id breaks the tie).
  std::vector<notifications::NotificationRecord> all{first};
  for (int ms : {1, 2, 2, 3}) {
    all.push_back(recordAt(taskId, t0 + milliseconds(ms), ms == 3 ? completed : created));
    CHECK(store.insert(all.back()));
  }
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
    return std::pair(a.receivedAt, a.eventId) > std::pair(b.receivedAt, b.eventId);
  });

  notifications::RecordQuery query;
  query.taskId = taskId;
  CHECK(idsOf(store.list(query)) == idsOf(all));  // newest first

  // Pages of two, each after the last one's (received_at, event_id).
  query.limit = 2;
  std::vector<std::string> paged;
  for (int page = 0; page < 4; ++page) {
    const auto items = store.list(query);
    for (const auto& r : items) paged.push_back(r.eventId);
    if (items.size() < 2) break;
    query.after = std::pair(items.back().receivedAt, items.back().eventId);
  }
  CHECK(paged == idsOf(all));

  // Filters combine: event type, and received at or after `since`.
  notifications::RecordQuery filtered;
  filtered.taskId = taskId;
  filtered.eventType = completed;
  CHECK(store.list(filtered).size() == 1);
  filtered.eventType.reset();
  filtered.since = t0 + milliseconds(2);
  CHECK(store.list(filtered).size() == 3);
  notifications::RecordQuery otherTask;
  otherTask.taskId = newUuid();
  CHECK(store.list(otherTask).empty());

  // Several at once: each is inserted, or found there before, whatever the
  // others are, and the first of an id repeated in the call wins.
  const auto batchTask = newUuid();
  auto newOne = recordAt(batchTask, t0, created);
  auto repeated = recordAt(batchTask, t0 + milliseconds(1), created);
  auto repeatedAgain = repeated;
  repeatedAgain.attempt = 7;
  auto before = all.front();
  before.attempt = 9;
  CHECK(store.insertAll({newOne, before, repeated, repeatedAgain}) ==
        std::vector<bool>{true, false, true, false});
  CHECK(store.insertAll({}).empty());
  CHECK(store.find(newOne.eventId));
  CHECK(store.find(repeated.eventId)->attempt == repeated.attempt);
  CHECK(store.find(before.eventId)->attempt == all.front().attempt);
  notifications::RecordQuery batchQuery;
  batchQuery.taskId = batchTask;
  CHECK(store.list(batchQuery).size() == 2);
}

}  // namespace workstream::contracts
