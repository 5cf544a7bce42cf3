#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "workstream/core/time.hpp"
#include "workstream/events/consumer.hpp"

namespace workstream::events {

// What log lines and metrics about a delivery say of its event, read before
// (and whatever) the handler makes of it: a poison message has them too, as
// far as it holds them.
struct EventContext {
  std::string eventId;                  // the message id, else the envelope's event_id
  std::string traceId;                  // the envelope's trace_id, else the traceparent header's
  std::string taskId;                   // the payload's task_id, if it has one
  std::optional<Timestamp> occurredAt;  // the envelope's occurred_at, else the AMQP timestamp
};

// Never throws: a body that is not an envelope leaves the fields it lacks
// empty. Values are cut to a sane length; they come from the wire.
EventContext eventContext(const Delivery& delivery);

// The error codes handlers and the runtime give failures; `code` when it is
// one of them, else "other" (a metric label never takes a value from outside).
std::string errorCodeLabel(std::string_view code);

}  // namespace workstream::events
