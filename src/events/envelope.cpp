#include "workstream/events/envelope.hpp"

#include "workstream/core/json_keys.hpp"
#include "workstream/core/uuid.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace workstream::events {

std::string toJson(const Envelope& e) {
  return boost::json::serialize(boost::json::object{
      {"event_id", e.eventId},
      {"event_type", e.eventType},
      {"occurred_at", e.occurredAt},
      {"producer", e.producer},
      {"trace_id", e.traceId},
      {"payload", boost::json::parse(e.payloadJson)},
  });
}

Result<Envelope, EnvelopeError> parseEnvelope(std::string_view json) {
  boost::system::error_code ec;
  auto value = boost::json::parse(json, ec);
  if (ec || !value.is_object()) {
    return EnvelopeError{ec ? "the envelope is not JSON: " + ec.message()
                            : "the envelope is not a JSON object"};
  }
  // Parsers disagree on which of two equal keys counts: never guess.
  if (auto key = duplicateJsonKey(json)) {
    return EnvelopeError{"the envelope repeats the key \"" + *key + "\""};
  }
  const auto& object = value.as_object();
  Envelope envelope;
  const std::pair<const char*, std::string*> fields[] = {{"event_id", &envelope.eventId},
                                                         {"event_type", &envelope.eventType},
                                                         {"occurred_at", &envelope.occurredAt},
                                                         {"producer", &envelope.producer},
                                                         {"trace_id", &envelope.traceId}};
  for (const auto& [name, target] : fields) {
    const auto* field = object.if_contains(name);
    if (field == nullptr || !field->is_string()) {
      return EnvelopeError{std::string("envelope field ") + name + " is missing or not a string"};
    }
    *target = std::string(field->as_string());
  }
  const auto* payload = object.if_contains("payload");
  if (payload == nullptr || !payload->is_object()) {
    return EnvelopeError{"envelope field payload is missing or not an object"};
  }
  if (object.size() != 6) {
    return EnvelopeError{"the envelope has fields besides the six of the contract"};
  }
  if (!canonicalUuid(envelope.eventId)) {
    return EnvelopeError{"envelope field event_id is not a UUID"};
  }
  envelope.payloadJson = boost::json::serialize(*payload);
  return envelope;
}

std::string routingKeyOf(std::string_view eventType) {
  const auto dot = eventType.rfind('.');
  if (dot != std::string_view::npos && dot + 2 <= eventType.size() && eventType[dot + 1] == 'v') {
    const auto version = eventType.substr(dot + 2);
    if (!version.empty() && version.find_first_not_of("0123456789") == std::string_view::npos) {
      return std::string(eventType.substr(0, dot));
    }
  }
  return std::string(eventType);
}

}  // namespace workstream::events
