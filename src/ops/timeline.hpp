#pragma once

// One task's journey, hop by hop, from what each role's store kept. Plain
// functions over plain data: the reading is in trace.cpp.

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "workstream/core/time.hpp"
#include "workstream/mailer/delivery_log.hpp"
#include "workstream/notifications/ports.hpp"

namespace workstream::ops {

// An outbox row of the task (Postgres, the tasks role).
struct OutboxRow {
  std::string eventId;
  std::string eventType;
  std::string requestId;   // empty for rows written before migration 0004
  std::string traceId;     // from the envelope
  std::string occurredAt;  // from the envelope: when the tasks role handled the request
  Timestamp createdAt;
  std::optional<Timestamp> publishedAt;
};

// What each store knows about one event; any of them may be missing.
struct EventFacts {
  std::string eventId;
  std::optional<OutboxRow> outbox;
  std::optional<notifications::NotificationRecord> record;  // MongoDB, notifications
  std::optional<mailer::DeliveryRecord> delivery;           // Redis, the mailer
};

// done: it happened at `at`. retrying / failed: the last attempt failed at
// `at` (failed: dead-lettered). notYet: it has not happened (yet). absent:
// it will not happen, or its store no longer has it.
enum class HopState { done, retrying, failed, notYet, absent };

struct Hop {
  std::string name;  // request, committed, published, received, recorded, mail_requested, mail_sent
  HopState state = HopState::notYet;
  std::optional<Timestamp> at;                   // millisecond precision
  std::optional<std::chrono::milliseconds> gap;  // from the previous hop that has a time
  std::vector<std::pair<std::string, std::string>> details;
};

struct EventTimeline {
  std::string eventId;
  std::string eventType;
  std::vector<Hop> hops;  // always all seven, in the order of the chain
};

struct TaskTrace {
  std::string taskId;
  std::string title;
  std::vector<EventTimeline> events;  // oldest first
};

EventTimeline buildTimeline(const EventFacts& facts);
// The events' timelines, oldest first (by their first hop's time).
TaskTrace assembleTrace(std::string taskId, std::string title,
                        const std::vector<EventFacts>& events);

std::string renderText(const TaskTrace& trace);
std::string renderJson(const TaskTrace& trace);

}  // namespace workstream::ops
