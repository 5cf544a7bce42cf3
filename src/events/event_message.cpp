#include "events/event_message.hpp"

#include "workstream/core/trace.hpp"
#include "workstream/events/topology.hpp"

namespace workstream::events {

OutgoingMessage eventMessage(EventFacts event) {
  OutgoingMessage message;
  message.exchange = std::string(kExchange);
  message.routingKey = std::move(event.routingKey);
  message.messageId = std::move(event.eventId);
  message.type = std::move(event.eventType);
  message.appId = std::move(event.producer);
  message.body = std::move(event.envelopeJson);
  message.timestamp = event.timestamp;
  if (event.traceId.size() == 32) {
    message.headers.emplace_back("traceparent",
                                 formatTraceparent(childOf({std::move(event.traceId), "", "01"})));
  }
  return message;
}

OutgoingMessage copyOf(const Delivery& delivery) {
  OutgoingMessage copy;
  copy.messageId = delivery.messageId;
  copy.type = delivery.type;
  copy.appId = delivery.appId;
  copy.timestamp = delivery.timestamp;
  copy.body = delivery.body;
  return copy;
}

}  // namespace workstream::events
