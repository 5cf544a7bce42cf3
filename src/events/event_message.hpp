#pragma once

#include <cstdint>
#include <string>

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

}  // namespace workstream::events
