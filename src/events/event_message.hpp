#pragma once

#include <cstdint>
#include <string>

#include "workstream/events/consumer.hpp"
#include "workstream/events/publisher.hpp"

namespace workstream::events {

// What an event is published with.
struct EventFacts {
  std::string routingKey;
  std::string eventId;
  std::string eventType;  // versioned
  std::string producer;
  std::string envelopeJson;
  std::int64_t timestamp = 0;  // seconds since the epoch
  std::string traceId;         // of the request that caused it, if any
};

// An event as it goes to the exchange `workstream.events`: id, type and
// producer as properties, and a `traceparent` header that continues
// `traceId` in a new span when it is a W3C trace id. The outbox relay and
// the mail requests both publish this way.
OutgoingMessage eventMessage(EventFacts event);

// A received message to send again (to a retry queue, a DLQ, back to its
// consumer): its id, type, producer, timestamp and body; the caller picks
// the destination and the headers.
OutgoingMessage copyOf(const Delivery& delivery);

}  // namespace workstream::events
