#include "tasks/pg_task_store.hpp"

#include "pg/pg_connection.hpp"

namespace workstream::tasks {
namespace {

using pg::PgResult;

// Timestamps come back as integer microseconds since the epoch (exact:
// extract() returns numeric), so nothing depends on the session's DateStyle.
#define TASK_COLUMNS                                     \
  "id, title, description, assignee_email, status,"      \
  " (extract(epoch FROM created_at) * 1000000)::bigint," \
  " (extract(epoch FROM updated_at) * 1000000)::bigint," \
  " (extract(epoch FROM completed_at) * 1000000)::bigint"

#define NEWEST_FIRST " ORDER BY created_at DESC, id DESC LIMIT $1"

Timestamp micros(const PgResult& r, int row, int col) {
  return Timestamp(std::chrono::microseconds(r.integer(row, col)));
}

Task taskAt(const PgResult& r, int row) {
  Task task;
  task.id = std::string(r.text(row, 0));
  task.title = std::string(r.text(row, 1));
  task.description = r.optionalText(row, 2);
  task.assigneeEmail = r.optionalText(row, 3);
  task.status = taskStatusFromString(r.text(row, 4)).value_or(TaskStatus::open);
  task.createdAt = micros(r, row, 5);
  task.updatedAt = micros(r, row, 6);
  if (!r.isNull(row, 7)) task.completedAt = micros(r, row, 7);
  return task;
}

void insertEvent(PGconn* conn, const OutboxEvent& event) {
  const pg::Param requestId = event.requestId.empty() ? std::nullopt : pg::Param(event.requestId);
  pg::execPrepared(conn, "insert_outbox",
                   {event.eventId, event.eventType, event.routingKey, event.aggregateId,
                    event.envelopeJson, requestId});
}

pg::Param optional(const std::optional<std::string>& value) {
  return value ? pg::Param(*value) : std::nullopt;
}

}  // namespace

std::vector<pg::PreparedStatement> PgTaskStore::preparedStatements() {
  return {
      {"insert_task",
       "INSERT INTO tasks (id, title, description, assignee_email, status, created_at, updated_at)"
       " VALUES ($1, $2, $3, $4, 'open', $5, $5)"},
      {"insert_outbox",
       "INSERT INTO outbox (event_id, event_type, routing_key, aggregate_id, envelope, request_id)"
       " VALUES ($1, $2, $3, $4, $5, $6)"},
      // Claims the key, or takes over one older than 24 hours; returns no row
      // while another task holds it.
      {"claim_key",
       "INSERT INTO task_idempotency_keys (key, task_id, created_at) VALUES ($1, $2, $3)"
       " ON CONFLICT (key) DO UPDATE SET task_id = EXCLUDED.task_id, created_at = "
       "EXCLUDED.created_at"
       " WHERE task_idempotency_keys.created_at < EXCLUDED.created_at - interval '24 hours'"
       " RETURNING task_id"},
      {"task_by_key", "SELECT " TASK_COLUMNS " FROM tasks WHERE id ="
                      " (SELECT task_id FROM task_idempotency_keys WHERE key = $1)"},
      {"get_task", "SELECT " TASK_COLUMNS " FROM tasks WHERE id = $1"},
      {"list", "SELECT " TASK_COLUMNS " FROM tasks" NEWEST_FIRST},
      {"list_after",
       "SELECT " TASK_COLUMNS " FROM tasks WHERE (created_at, id) < ($2, $3)" NEWEST_FIRST},
      {"list_status", "SELECT " TASK_COLUMNS " FROM tasks WHERE status = $2" NEWEST_FIRST},
      {"list_status_after",
       "SELECT " TASK_COLUMNS
       " FROM tasks WHERE status = $2 AND (created_at, id) < ($3, $4)" NEWEST_FIRST},
      {"complete_task",
       "UPDATE tasks SET status = 'completed', completed_at = $2, updated_at = $2"
       " WHERE id = $1 AND status = 'open' RETURNING " TASK_COLUMNS},
      {"task_status", "SELECT status FROM tasks WHERE id = $1"},
  };
}

TaskStore::Created PgTaskStore::create(const Task& task, const OutboxEvent& event,
                                       const std::optional<std::string>& idempotencyKey) {
  auto lease = pool_.acquire();
  PGconn* conn = lease.get();
  const auto createdAt = formatRfc3339(task.createdAt);
  {
    pg::Transaction tx(conn);
    pg::execPrepared(
        conn, "insert_task",
        {task.id, task.title, optional(task.description), optional(task.assigneeEmail), createdAt});
    const bool claimed =
        !idempotencyKey ||
        pg::execPrepared(conn, "claim_key", {*idempotencyKey, task.id, createdAt}).rows() == 1;
    if (claimed) {
      insertEvent(conn, event);
      tx.commit();
      return {task, false};
    }
  }  // rolled back: the key belongs to an earlier task
  auto earlier = pg::execPrepared(conn, "task_by_key", {*idempotencyKey});
  if (earlier.rows() != 1) throw InfrastructureError("idempotency key vanished while reading it");
  return {taskAt(earlier, 0), true};
}

std::optional<Task> PgTaskStore::get(const std::string& id) {
  auto lease = pool_.acquire();
  auto result = pg::execPrepared(lease.get(), "get_task", {id});
  if (result.rows() == 0) return std::nullopt;
  return taskAt(result, 0);
}

std::vector<Task> PgTaskStore::list(const StoreQuery& query) {
  auto lease = pool_.acquire();
  const auto limit = std::to_string(query.limit);
  std::optional<std::string> status;
  if (query.status) status = std::string(toString(*query.status));
  std::string after;
  if (query.after) after = formatRfc3339(query.after->createdAt);

  PgResult result = [&] {
    if (status && query.after) {
      return pg::execPrepared(lease.get(), "list_status_after",
                              {limit, *status, after, query.after->id});
    }
    if (status) return pg::execPrepared(lease.get(), "list_status", {limit, *status});
    if (query.after)
      return pg::execPrepared(lease.get(), "list_after", {limit, after, query.after->id});
    return pg::execPrepared(lease.get(), "list", {limit});
  }();
  std::vector<Task> tasks;
  tasks.reserve(result.rows());
  for (int i = 0; i < result.rows(); ++i) tasks.push_back(taskAt(result, i));
  return tasks;
}

TaskStore::Completed PgTaskStore::complete(
    const std::string& id, Timestamp at, const std::function<OutboxEvent(const Task&)>& makeEvent) {
  auto lease = pool_.acquire();
  PGconn* conn = lease.get();
  pg::Transaction tx(conn);
  // Concurrent completions queue on the row lock; once the first commits,
  // the others re-check `status = 'open'` and update nothing.
  auto updated = pg::execPrepared(conn, "complete_task", {id, formatRfc3339(at)});
  if (updated.rows() == 0) {
    const bool exists = pg::execPrepared(conn, "task_status", {id}).rows() == 1;
    return {exists ? Completion::alreadyCompleted : Completion::notFound, std::nullopt};
  }
  Task task = taskAt(updated, 0);
  insertEvent(conn, makeEvent(task));
  tx.commit();
  return {Completion::completed, std::move(task)};
}

}  // namespace workstream::tasks
