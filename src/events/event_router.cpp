#include "events/event_router.hpp"

#include <boost/json/parse.hpp>

#include "workstream/core/uuid.hpp"

namespace workstream::events {
namespace {

namespace json = boost::json;

std::optional<std::string> optionalString(const json::object& payload, const char* name) {
  const auto* value = payload.if_contains(name);
  if (value != nullptr && !value->is_string()) return std::string(name) + " must be a string";
  return std::nullopt;
}

}  // namespace

void EventRouter::on(std::string eventType, PayloadCheck check, EventHandler handler) {
  routes_[std::move(eventType)] = {std::move(check), std::move(handler)};
}

Outcome EventRouter::handle(const Delivery& delivery) {
  std::string error;
  auto envelope = parseEnvelope(delivery.body, error);
  if (!envelope) return Outcome::poison("INVALID_ENVELOPE", error);
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

std::optional<std::string> checkTaskPayload(const std::string& payloadJson) {
  const auto payload = json::parse(payloadJson).as_object();  // parseEnvelope made it an object
  const auto* id = payload.if_contains("task_id");
  if (id == nullptr || !id->is_string() || !canonicalUuid(id->as_string())) {
    return "task_id must be a UUID";
  }
  for (const char* name :
       {"title", "status", "assignee_email", "created_at", "updated_at", "completed_at"}) {
    if (auto problem = optionalString(payload, name)) return problem;
  }
  return std::nullopt;
}

std::optional<std::string> checkMailPayload(const std::string& payloadJson) {
  const auto payload = json::parse(payloadJson).as_object();
  const auto* to = payload.if_contains("to");
  if (to == nullptr || !to->is_array() || to->as_array().empty()) {
    return "to must be a non-empty array of addresses";
  }
  for (const auto& address : to->as_array()) {
    if (!address.is_string()) return "to must hold strings";
  }
  for (const char* name : {"subject", "body"}) {
    const auto* value = payload.if_contains(name);
    if (value == nullptr || !value->is_string()) return std::string(name) + " must be a string";
  }
  return std::nullopt;
}

}  // namespace workstream::events
