#pragma once

#include <string_view>

#include "workstream/tasks/task_store.hpp"

namespace workstream::tasks {

constexpr std::string_view kProducer = "workstream-tasks";
constexpr std::string_view kTaskCreated = "workstream.task.created.v1";
constexpr std::string_view kTaskCompleted = "workstream.task.completed.v1";

// The outbox row announcing `task` under `eventType`. The payload carries
// task_id (seed 000) plus title, status, assignee_email and timestamps.
OutboxEvent taskEvent(std::string_view eventType, const Task& task, const CallContext& context,
                      Timestamp occurredAt);

}  // namespace workstream::tasks
