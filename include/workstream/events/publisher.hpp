#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace workstream::events {

using HeaderValue = std::variant<std::string, std::int64_t>;
using MessageHeaders = std::vector<std::pair<std::string, HeaderValue>>;

struct OutgoingMessage {
  std::string exchange;  // empty: the default exchange (routing key = queue)
  std::string routingKey;
  std::string messageId;                     // the event id
  std::string type;                          // the versioned event type
  std::string appId;                         // the producer
  std::string body;                          // the envelope, JSON
  std::int64_t timestamp = 0;                // seconds since the epoch
  MessageHeaders headers;                    // traceparent, and error context for a DLQ
  std::optional<std::int64_t> expirationMs;  // for delay queues
};

// Publishes events durably.
//
// Promise: a message counts as published only when the broker confirmed it:
// persistent, routed to at least one queue (the mandatory flag; an
// unroutable message is a failure, never a silent drop), acknowledged.
// Infrastructure failures throw Unavailable; then nothing of the batch may be
// taken as published.
class EventPublisher {
 public:
  virtual ~EventPublisher() = default;
  // Per message, in order: true if confirmed, false if refused or returned.
  virtual std::vector<bool> publish(const std::vector<OutgoingMessage>& batch) = 0;
};

}  // namespace workstream::events
