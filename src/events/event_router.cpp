#include "events/event_router.hpp"

namespace workstream::events {
void EventRouter::on(const EventContract& contract, EventHandler handler) {
  routes_[std::string(contract.type)] = {contract.checkPayload, std::move(handler)};
}

Outcome EventRouter::handle(const Delivery& delivery) {
  auto envelope = parseEnvelope(delivery.body);
  if (!envelope) return Outcome::poison("INVALID_ENVELOPE", envelope.error().message);
  auto route = routes_.find(envelope->eventType);
  if (route == routes_.end()) {
    return Outcome::poison("UNKNOWN_EVENT_TYPE",
                           "no handler for event type \"" + envelope->eventType + "\"");
  }
  if (auto problem = route->second.check(envelope->payloadJson)) {
    return Outcome::poison("INVALID_PAYLOAD", *problem);
  }
  return route->second.handler(*envelope, delivery);
}

}  // namespace workstream::events
