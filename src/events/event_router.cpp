#include "events/event_router.hpp"

#include <algorithm>
#include <stdexcept>

#include "events/failure_routing.hpp"

namespace workstream::events {

void EventRouter::on(const EventContract& contract, EventHandler handler) {
  handlers_.push_back([handler = std::move(handler)](const std::vector<RoutedEvent>& events) {
    std::vector<Outcome> outcomes;
    outcomes.reserve(events.size());
    for (const auto& event : events) {
      outcomes.push_back(outcomeOf([&] { return handler(event.envelope, *event.delivery); }));
    }
    return outcomes;
  });
  routes_[std::string(contract.type)] = {contract.checkPayload, handlers_.size() - 1};
}

void EventRouter::onBatch(std::initializer_list<EventContract> contracts, BatchEventHandler handler,
                          std::size_t maxBatch) {
  handlers_.push_back(std::move(handler));
  for (const auto& contract : contracts) {
    routes_[std::string(contract.type)] = {contract.checkPayload, handlers_.size() - 1};
  }
  maxBatch_ = std::max(maxBatch_, maxBatch);
}

Outcome EventRouter::handle(const Delivery& delivery) {
  return std::move(handleBatch({&delivery}).front());
}

std::vector<Outcome> EventRouter::handleBatch(const std::vector<const Delivery*>& deliveries) {
  std::vector<Outcome> outcomes(deliveries.size());
  // Per handler: its events and where their outcomes go.
  std::vector<std::vector<RoutedEvent>> events(handlers_.size());
  std::vector<std::vector<std::size_t>> positions(handlers_.size());
  for (std::size_t i = 0; i < deliveries.size(); ++i) {
    auto envelope = parseEnvelope(deliveries[i]->body);
    if (!envelope) {
      outcomes[i] = Outcome::poison("INVALID_ENVELOPE", envelope.error().message);
      continue;
    }
    auto route = routes_.find(envelope->eventType);
    if (route == routes_.end()) {
      outcomes[i] = Outcome::poison("UNKNOWN_EVENT_TYPE",
                                    "no handler for event type \"" + envelope->eventType + "\"");
      continue;
    }
    if (auto problem = route->second.check(envelope->payloadJson)) {
      outcomes[i] = Outcome::poison("INVALID_PAYLOAD", *problem);
      continue;
    }
    events[route->second.handler].push_back({std::move(*envelope), deliveries[i]});
    positions[route->second.handler].push_back(i);
  }
  for (std::size_t h = 0; h < handlers_.size(); ++h) {
    if (events[h].empty()) continue;
    std::vector<Outcome> answers;
    try {
      answers = handlers_[h](events[h]);
      if (answers.size() != events[h].size()) {
        throw std::logic_error("a batch handler answered for a different number of events");
      }
    } catch (...) {
      answers.assign(events[h].size(), failureOutcome(std::current_exception()));
    }
    for (std::size_t k = 0; k < answers.size(); ++k) {
      outcomes[positions[h][k]] = std::move(answers[k]);
    }
  }
  return outcomes;
}

}  // namespace workstream::events
