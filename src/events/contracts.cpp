#include "workstream/events/contracts.hpp"

#include <boost/json/parse.hpp>

#include "workstream/core/uuid.hpp"

// The payload rules of contracts/events/*.schema.json. The envelope was
// parsed first, so the payload is a JSON object here.
namespace workstream::events {
namespace {

namespace json = boost::json;

std::optional<std::string> optionalString(const json::object& payload, const char* name) {
  const auto* value = payload.if_contains(name);
  if (value != nullptr && !value->is_string()) return std::string(name) + " must be a string";
  return std::nullopt;
}

}  // namespace

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
