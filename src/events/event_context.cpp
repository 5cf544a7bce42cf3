#include "events/event_context.hpp"

#include <boost/json/parse.hpp>

#include "workstream/core/metrics.hpp"
#include "workstream/core/trace.hpp"

namespace workstream::events {
namespace {

constexpr std::size_t kMaxFieldLength = 128;

std::string stringField(const boost::json::object& object, const char* name) {
  const auto* value = object.if_contains(name);
  if (value == nullptr || !value->is_string()) return {};
  const auto& text = value->get_string();
  return std::string(text.data(), std::min(text.size(), kMaxFieldLength));
}

}  // namespace

EventContext eventContext(const Delivery& delivery) {
  EventContext context;
  context.eventId = delivery.messageId.substr(0, kMaxFieldLength);
  boost::system::error_code ec;
  const auto body = boost::json::parse(delivery.body, ec);
  if (!ec && body.is_object()) {
    const auto& envelope = body.get_object();
    if (context.eventId.empty()) context.eventId = stringField(envelope, "event_id");
    context.traceId = stringField(envelope, "trace_id");
    context.occurredAt = parseRfc3339(stringField(envelope, "occurred_at"));
    if (const auto* payload = envelope.if_contains("payload"); payload && payload->is_object()) {
      context.taskId = stringField(payload->get_object(), "task_id");
    }
  }
  if (context.traceId.empty()) {
    if (auto it = delivery.headers.find("traceparent"); it != delivery.headers.end()) {
      if (auto parent = parseTraceparent(it->second)) context.traceId = parent->traceId;
    }
  }
  if (!context.occurredAt && delivery.timestamp > 0) {
    context.occurredAt = Timestamp(std::chrono::seconds(delivery.timestamp));
  }
  return context;
}

std::string errorCodeLabel(std::string_view code) {
  return boundedLabel(code, {"INVALID_ENVELOPE", "UNKNOWN_EVENT_TYPE", "INVALID_PAYLOAD",
                             "DEPENDENCY_UNAVAILABLE", "HANDLER_FAILED", "INVALID_MAIL",
                             "MAIL_IN_PROGRESS", "SMTP_REJECTED", "SMTP_UNAVAILABLE"});
}

}  // namespace workstream::events
