#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "workstream/events/consumer.hpp"
#include "workstream/events/envelope.hpp"

namespace workstream::events {

// Checks a payload against its event type's contract; returns why it fails.
using PayloadCheck = std::function<std::optional<std::string>(const std::string& payloadJson)>;
using EventHandler = std::function<Outcome(const Envelope& envelope, const Delivery& delivery)>;

// A DeliveryHandler that reads the envelope and hands it to the handler of
// its event type. It never guesses: an unreadable envelope, an unknown event
// type or version, or a payload that breaks its contract is poison (the DLQ
// at once), with codes INVALID_ENVELOPE, UNKNOWN_EVENT_TYPE, INVALID_PAYLOAD.
class EventRouter final : public DeliveryHandler {
 public:
  void on(std::string eventType, PayloadCheck check, EventHandler handler);
  Outcome handle(const Delivery& delivery) override;

 private:
  struct Route {
    PayloadCheck check;
    EventHandler handler;
  };
  std::map<std::string, Route, std::less<>> routes_;
};

// The payload contracts of contracts/events, as checks.
std::optional<std::string> checkTaskPayload(const std::string& payloadJson);
std::optional<std::string> checkMailPayload(const std::string& payloadJson);

}  // namespace workstream::events
