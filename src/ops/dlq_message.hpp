#pragma once

// Dead-lettered messages as the `workstream dlq` commands see them, and the
// plain logic over them: which ones a filter selects, and the copy a replay
// sends back to the consumer's queue. No broker types here.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "workstream/core/config_values.hpp"
#include "workstream/core/time.hpp"
#include "workstream/events/consumer.hpp"
#include "workstream/events/publisher.hpp"
#include "workstream/events/topology.hpp"

namespace workstream::ops {

struct DlqMessage {
  events::ConsumerQueue consumer;  // whose DLQ it waits in
  events::Delivery delivery;       // routingKey: the original one (x-original-routing-key)
  std::string dlqRoutingKey;       // the key it reached the DLQ with

  std::string header(std::string_view name) const;
};

// The selectors of list, replay and purge; each one given must match (AND).
struct DlqFilter {
  std::optional<std::string> errorCode;
  std::optional<std::string> eventType;
  std::optional<std::string> eventId;  // the message id
  std::optional<Timestamp> since;      // last failure at or after
};
bool matches(const DlqFilter& filter, const DlqMessage& message);

using config_values::Invalid;
using config_values::Parsed;

// --queue: "notifications" or "mailer" (or the queue's full name); empty: both.
Parsed<std::vector<events::ConsumerQueue>> parseQueues(std::string_view text);
// --since: a duration back from `now` (10m, 1h, 2d) or an RFC 3339 instant.
Parsed<Timestamp> parseSince(std::string_view text, Timestamp now);
// --rate: messages per second, "5" or "5/s", > 0 and at most 10000.
Parsed<double> parseRate(std::string_view text);

// The replay history header: one entry per replay with the error context the
// message had then, newest last. Bounded so that replaying a message again
// and again cannot grow it past the frame limit: the newest
// kMaxReplayHistoryEntries entries, each field cut to kMaxReplayFieldBytes.
constexpr std::string_view kReplayHistoryHeader = "x-replay-history";
constexpr std::size_t kMaxReplayHistoryEntries = 5;
constexpr std::size_t kMaxReplayFieldBytes = 255;

// What a replay publishes: the same id, type, producer, timestamp and body,
// through the default exchange to the consumer's queue, keeping
// x-original-routing-key (as a retry does) so the consumer sees the original
// routing key; no x-attempts (a fresh start) and no error headers, which go
// into the replay history instead.
events::OutgoingMessage replayCopy(const DlqMessage& message, std::string_view now);

}  // namespace workstream::ops
