#pragma once

#include <functional>
#include <map>
#include <string>

#include "workstream/events/consumer.hpp"
#include "workstream/events/contracts.hpp"
#include "workstream/events/envelope.hpp"

namespace workstream::events {

using EventHandler = std::function<Outcome(const Envelope& envelope, const Delivery& delivery)>;

// A DeliveryHandler that reads the envelope and hands it to the handler of
// its event type. It never guesses: an unreadable envelope, an unknown event
// type or version, or a payload that breaks its contract is poison (the DLQ
// at once), with codes INVALID_ENVELOPE, UNKNOWN_EVENT_TYPE, INVALID_PAYLOAD.
class EventRouter final : public DeliveryHandler {
 public:
  // Routes `contract.type`, after its payload check, to `handler`.
  void on(const EventContract& contract, EventHandler handler);
  Outcome handle(const Delivery& delivery) override;

 private:
  struct Route {
    PayloadCheck check;
    EventHandler handler;
  };
  std::map<std::string, Route, std::less<>> routes_;
};

}  // namespace workstream::events
