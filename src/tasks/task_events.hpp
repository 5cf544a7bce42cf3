#pragma once

#include <string_view>

#include "workstream/events/contracts.hpp"
#include "workstream/tasks/task_store.hpp"

namespace workstream::tasks {

// The outbox row announcing `task` as an event of `contract`. The payload carries
// task_id (seed 000) plus title, status, assignee_email and timestamps.
OutboxEvent taskEvent(const events::EventContract& contract, const Task& task,
                      const CallContext& context, Timestamp occurredAt);

}  // namespace workstream::tasks
