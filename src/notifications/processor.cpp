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
  return std::move(processAll({{event, &delivery}}).front());
}

std::vector<events::Outcome> NotificationProcessor::processAll(
    const std::vector<events::RoutedEvent>& events) {
  const auto receivedAt = clock_();
  std::vector<std::string> ids, taskIds;
  for (const auto& [event, delivery] : events) {
    ids.push_back(event.eventId);
    taskIds.push_back(field(boost::json::parse(event.payloadJson).as_object(), "task_id"));
  }
  const auto seen = dedup_.processedAll(ids);
  std::vector<std::size_t> fresh;  // positions of the events not processed before
  std::vector<NotificationRecord> records;
  std::vector<MailRequest> mails;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const auto& event = events[i].envelope;
    if (seen[i]) {
      log_.debug(
          "event already processed",
          {{"event_id", event.eventId}, {"trace_id", event.traceId}, {"task_id", taskIds[i]}});
      continue;
    }
    fresh.push_back(i);
    records.push_back({event.eventId, event.eventType, event.occurredAt, event.producer,
                       event.traceId, taskIds[i], event.payloadJson, receivedAt, clock_(),
                       events[i].delivery->attempt});
    if (auto request = mailFor(event)) {
      records.back().mailRequestId = request->eventId;
      mails.push_back(std::move(*request));
    }
  }
  if (!fresh.empty()) {
    const auto inserted = records_.insertAll(records);
    mail_.sendAll(mails);
    std::vector<std::string> done;
    for (const auto i : fresh) done.push_back(ids[i]);
    dedup_.markProcessedAll(done);
    for (std::size_t k = 0; k < fresh.size(); ++k) {
      const auto& event = events[fresh[k]].envelope;
      log_.info(inserted[k] ? "event recorded" : "event was recorded before",
                {{"event_id", event.eventId},
                 {"event_type", event.eventType},
                 {"trace_id", event.traceId},
                 {"task_id", taskIds[fresh[k]]}});
    }
  }
  return std::vector<events::Outcome>(events.size(), events::Outcome::ok());
}

}  // namespace workstream::notifications
