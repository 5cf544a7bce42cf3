#pragma once

// The envelope every Workstream event travels in (seed 000): exactly
// event_id, event_type, occurred_at, producer, trace_id and payload.

#include <string>
#include <string_view>

#include "workstream/core/result.hpp"

namespace workstream::events {

struct Envelope {
  std::string eventId;     // UUID
  std::string eventType;   // e.g. workstream.task.created.v1
  std::string occurredAt;  // RFC 3339, UTC
  std::string producer;    // e.g. workstream-tasks
  std::string traceId;
  std::string payloadJson;  // a serialized JSON object
};

std::string toJson(const Envelope& envelope);

// Reads an envelope: exactly the six fields, strings, `payload` an object,
// `event_id` a UUID, no key given twice in any object; otherwise what breaks
// the contract, in words.
struct EnvelopeError {
  std::string message;
};
Result<Envelope, EnvelopeError> parseEnvelope(std::string_view json);

// The AMQP routing key of an event type: the type without its version
// suffix, so `workstream.task.created.v1` routes as `workstream.task.created`
// and matches the binding `workstream.task.*`.
std::string routingKeyOf(std::string_view eventType);

}  // namespace workstream::events
