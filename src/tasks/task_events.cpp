#include "tasks/task_events.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "workstream/core/uuid.hpp"
#include "workstream/events/envelope.hpp"

namespace workstream::tasks {

OutboxEvent taskEvent(const events::EventContract& contract, const Task& task,
                      const CallContext& context, Timestamp occurredAt) {
  boost::json::object payload{
      {"task_id", task.id},
      {"title", task.title},
      {"status", toString(task.status)},
      {"created_at", formatRfc3339(task.createdAt)},
      {"updated_at", formatRfc3339(task.updatedAt)},
  };
  if (task.assigneeEmail) payload["assignee_email"] = *task.assigneeEmail;
  if (task.completedAt) payload["completed_at"] = formatRfc3339(*task.completedAt);

  events::Envelope envelope{newUuid(),
                            std::string(contract.type),
                            formatRfc3339(occurredAt),
                            std::string(contract.producer),
                            context.traceId,
                            boost::json::serialize(payload)};
  return OutboxEvent{
      envelope.eventId, envelope.eventType,       events::routingKeyOf(contract.type),
      task.id,          events::toJson(envelope), context.requestId,
      envelope.traceId, envelope.producer};
}

}  // namespace workstream::tasks
