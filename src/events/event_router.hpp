#pragma once

#include <cstddef>
#include <functional>
#include <initializer_list>
#include <map>
#include <string>
#include <vector>

#include "workstream/events/consumer.hpp"
#include "workstream/events/contracts.hpp"
#include "workstream/events/envelope.hpp"

namespace workstream::events {

using EventHandler = std::function<Outcome(const Envelope& envelope, const Delivery& delivery)>;

// An event that passed its checks, with the delivery that brought it.
struct RoutedEvent {
  Envelope envelope;
  const Delivery* delivery;
};
// Takes events that arrived together; answers an outcome for each, in order.
using BatchEventHandler = std::function<std::vector<Outcome>(const std::vector<RoutedEvent>&)>;

// A DeliveryHandler that reads the envelope and hands it to the handler of
// its event type. It never guesses: an unreadable envelope, an unknown event
// type or version, or a payload that breaks its contract is poison (the DLQ
// at once), with codes INVALID_ENVELOPE, UNKNOWN_EVENT_TYPE, INVALID_PAYLOAD.
// In a batch, each delivery is judged on its own: poison stays poison, the
// rest go to their handlers, and a handler that throws makes a retry of its
// own events only.
class EventRouter final : public DeliveryHandler {
 public:
  // Routes `contract.type`, after its payload check, to `handler`, one event
  // at a time.
  void on(const EventContract& contract, EventHandler handler);
  // Routes each of `contracts` to one handler that takes the events of a
  // batch together, up to `maxBatch` of them.
  void onBatch(std::initializer_list<EventContract> contracts, BatchEventHandler handler,
               std::size_t maxBatch);

  Outcome handle(const Delivery& delivery) override;
  std::size_t maxBatch() const override { return maxBatch_; }
  std::vector<Outcome> handleBatch(const std::vector<const Delivery*>& deliveries) override;

 private:
  struct Route {
    PayloadCheck check;
    std::size_t handler;  // in handlers_
  };
  std::vector<BatchEventHandler> handlers_;
  std::map<std::string, Route, std::less<>> routes_;
  std::size_t maxBatch_ = 1;
};

}  // namespace workstream::events
