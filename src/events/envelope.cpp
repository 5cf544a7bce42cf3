#include "workstream/events/envelope.hpp"

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
