#include "notifications/processor.hpp"

#include <boost/json/parse.hpp>

#include "workstream/core/uuid.hpp"
#include "workstream/events/contracts.hpp"

namespace workstream::notifications {
namespace {

std::string field(const boost::json::object& payload, const char* name) {
  const auto* value = payload.if_contains(name);
  return value && value->is_string() ? std::string(value->as_string()) : std::string();
}

}  // namespace

std::optional<MailRequest> NotificationProcessor::mailFor(const events::Envelope& event) {
  const auto payload = boost::json::parse(event.payloadJson).as_object();
  const auto assignee = field(payload, "assignee_email");
  if (assignee.empty()) return std::nullopt;
  const bool completed = event.eventType == events::kTaskCompleted.type;
  const auto title = field(payload, "title");
  const auto taskId = field(payload, "task_id");
  MailRequest request;
  request.eventId = uuidV5(kMailRequestNamespace, event.eventId);
  request.to = {assignee};
  request.subject = (completed ? "Task completed: " : "Task assigned: ") + title;
  request.body = std::string("The task \"") + title + "\" (" + taskId + ") " +
                 (completed ? "was completed." : "was created and assigned to you.") + "\n";
  request.traceId = event.traceId;
  return request;
}

events::Outcome NotificationProcessor::process(const events::Envelope& event,
                                               const events::Delivery& delivery) {
  const auto receivedAt = clock_();
  const auto payload = boost::json::parse(event.payloadJson).as_object();
  const auto taskId = field(payload, "task_id");
  if (dedup_.processed(event.eventId)) {
    log_.debug("event already processed",
               {{"event_id", event.eventId}, {"trace_id", event.traceId}, {"task_id", taskId}});
    return events::Outcome::ok();
  }
  NotificationRecord record{event.eventId, event.eventType, event.occurredAt,  event.producer,
                            event.traceId, taskId,          event.payloadJson, receivedAt,
                            clock_(),      delivery.attempt};
  const auto request = mailFor(event);
  if (request) record.mailRequestId = request->eventId;
  const bool fresh = records_.insert(record);
  if (request) mail_.send(*request);
  dedup_.markProcessed(event.eventId);
  log_.info(fresh ? "event recorded" : "event was recorded before",
            {{"event_id", event.eventId},
             {"event_type", event.eventType},
             {"trace_id", event.traceId},
             {"task_id", taskId}});
  return events::Outcome::ok();
}

}  // namespace workstream::notifications
