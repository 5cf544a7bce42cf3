#include "postgres/pg_task_store.hpp"

#include "postgres/pg_async.hpp"
#include "postgres/pg_connection.hpp"

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

// Inserts an event whose values are the parameters $first..$first+7, in
// OutboxEvent's order; typed, because an INSERT ... SELECT lends them no type.
std::string insertEvent(int first) {
  static constexpr const char* kTypes[] = {"uuid", "text", "text", "uuid",
                                           "json", "text", "text", "text"};
  std::string sql =
      "INSERT INTO outbox (event_id, event_type, routing_key, aggregate_id, envelope, request_id,"
      " trace_id, producer) SELECT ";
  for (int i = 0; i < 8; ++i) {
    sql += (i == 0 ? "$" : ", $") + std::to_string(first + i) + "::" + kTypes[i];
  }
  return sql;
}

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

pg::Param optional(const std::optional<std::string>& value) {
  return value ? pg::Param(*value) : std::nullopt;
}

pg::Param nonEmpty(const std::string& value) {
  return value.empty() ? std::nullopt : pg::Param(value);
}

}  // namespace

std::vector<pg::PreparedStatement> PgTaskStore::preparedStatements() {
  return {
      // The task and its event in one statement: one round trip, one
      // implicit transaction, one NOTIFY (the outbox trigger is per statement).
      {"create_task",
       "WITH task AS (INSERT INTO tasks"
       " (id, title, description, assignee_email, status, created_at, updated_at)"
       " VALUES ($1, $2, $3, $4, 'open', $5, $5)) " +
           insertEvent(6)},
      // The same under an idempotency key. The key is claimed, or taken over
      // when older than 24 hours, and only then are the task and its event
      // written. The one row says whether the key was claimed and, if not,
      // holds the task the key belongs to as this statement's snapshot sees
      // it: NULLs when that task committed after the snapshot was taken.
      {"create_task_keyed",
       "WITH claim AS (INSERT INTO task_idempotency_keys (key, task_id, created_at)"
       " VALUES ($14, $1, $5) ON CONFLICT (key) DO UPDATE"
       " SET task_id = EXCLUDED.task_id, created_at = EXCLUDED.created_at"
       " WHERE task_idempotency_keys.created_at < EXCLUDED.created_at - interval '24 hours'"
       " RETURNING task_id),"
       " task AS (INSERT INTO tasks"
       " (id, title, description, assignee_email, status, created_at, updated_at)"
       " SELECT $1::uuid, $2::text, $3::text, $4::text, 'open', $5::timestamptz, $5 FROM claim"
       " RETURNING id),"
       " event AS (" +
           insertEvent(6) +
           " FROM task)"
           " SELECT " TASK_COLUMNS ", EXISTS (SELECT FROM claim) FROM (SELECT) AS one"
           " LEFT JOIN tasks ON NOT EXISTS (SELECT FROM claim)"
           " AND id = (SELECT task_id FROM task_idempotency_keys WHERE key = $14)"},
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
      // Completes the task only if it is still the row its event was built
      // from (open, same updated_at), and writes that event with it.
      {"complete_task",
       "WITH done AS (UPDATE tasks SET status = 'completed', completed_at = $2, updated_at = $2"
       " WHERE id = $1 AND status = 'open' AND updated_at = $3 RETURNING *),"
       " event AS (" +
           insertEvent(4) + " FROM done) SELECT " TASK_COLUMNS " FROM done"},
  };
}

std::vector<pg::SessionSetting> PgTaskStore::wakesRelaySettings() {
  return {{"workstream.wakes_relay", "on"}};  // read by outbox_notify(), migration 0006
}

TaskStore::Created PgTaskStore::create(const Task& task, const OutboxEvent& event,
                                       const std::optional<std::string>& idempotencyKey) {
  auto lease = pool_.acquire();
  PGconn* conn = lease.get();
  const auto createdAt = formatRfc3339(task.createdAt);
  const pg::Param requestId = nonEmpty(event.requestId), traceId = nonEmpty(event.traceId);
  if (!idempotencyKey) {
    pg::execPrepared(conn, "create_task",
                     {task.id, task.title, optional(task.description), optional(task.assigneeEmail),
                      createdAt, event.eventId, event.eventType, event.routingKey,
                      event.aggregateId, event.envelopeJson, requestId, traceId, event.producer});
    written();
    return {task, false};
  }
  auto row = pg::execPrepared(
      conn, "create_task_keyed",
      {task.id, task.title, optional(task.description), optional(task.assigneeEmail), createdAt,
       event.eventId, event.eventType, event.routingKey, event.aggregateId, event.envelopeJson,
       requestId, traceId, event.producer, *idempotencyKey});
  if (row.text(0, 8) == "t") {
    written();
    return {task, false};
  }
  if (!row.isNull(0, 0)) return {taskAt(row, 0), true};
  // A concurrent create with this key committed after our statement began:
  // a new statement sees its task.
  auto earlier = pg::execPrepared(conn, "task_by_key", {*idempotencyKey});
  if (earlier.rows() != 1) throw InfrastructureError("idempotency key vanished while reading it");
  return {taskAt(earlier, 0), true};
}

bool PgTaskStore::tryCreateAsync(const Task& task, const OutboxEvent& event, CreateDone& done) {
  const auto owned = [](const pg::Param& p) {
    return p ? std::optional<std::string>(*p) : std::nullopt;
  };
  // The store need not outlive the answer: it takes what it calls along.
  pg::AsyncDone answer = [done, task, written = eventsWritten_](std::optional<PgResult>,
                                                                std::exception_ptr error) {
    if (error) return done(std::nullopt, error);
    if (written) written();
    done(Created{task, false}, nullptr);
  };
  if (!pg::tryExecPreparedOnLoop(
          pool_, "create_task",
          {task.id, task.title, task.description, task.assigneeEmail, formatRfc3339(task.createdAt),
           event.eventId, event.eventType, event.routingKey, event.aggregateId, event.envelopeJson,
           owned(nonEmpty(event.requestId)), owned(nonEmpty(event.traceId)), event.producer},
          answer, pg::Sharing::Alone)) {
    return false;
  }
  done = nullptr;
  return true;
}

std::optional<Task> PgTaskStore::get(const std::string& id) {
  auto lease = pool_.acquire();
  auto result = pg::execPrepared(lease.get(), "get_task", {id});
  if (result.rows() == 0) return std::nullopt;
  return taskAt(result, 0);
}

bool PgTaskStore::tryGetAsync(const std::string& id, GetDone& done) {
  pg::AsyncDone answer = [done](std::optional<PgResult> result, std::exception_ptr error) {
    if (error) return done(std::nullopt, error);
    std::optional<Task> task;
    try {
      if (result->rows() > 0) task = taskAt(*result, 0);
    } catch (...) {
      return done(std::nullopt, std::current_exception());
    }
    done(std::move(task), nullptr);
  };
  if (!pg::tryExecPreparedOnLoop(pool_, "get_task", {id}, answer, pg::Sharing::Pipelined))
    return false;
  done = nullptr;
  return true;
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

// Two round trips, no transaction held open between them: read the task,
// build its event, then complete it and write the event in one statement
// that applies only if the row is unchanged. Of concurrent completions one
// statement wins; the others find the task completed when they read again.
TaskStore::Completed PgTaskStore::complete(
    const std::string& id, Timestamp at, const std::function<OutboxEvent(const Task&)>& makeEvent) {
  auto lease = pool_.acquire();
  PGconn* conn = lease.get();
  while (true) {
    auto read = pg::execPrepared(conn, "get_task", {id});
    if (read.rows() == 0) return {Completion::notFound, std::nullopt};
    Task task = taskAt(read, 0);
    if (task.status != TaskStatus::open) return {Completion::alreadyCompleted, std::nullopt};
    const auto readUpdatedAt = formatRfc3339(task.updatedAt);
    task.status = TaskStatus::completed;
    task.completedAt = at;
    task.updatedAt = at;
    const auto event = makeEvent(task);
    auto done =
        pg::execPrepared(conn, "complete_task",
                         {id, formatRfc3339(at), readUpdatedAt, event.eventId, event.eventType,
                          event.routingKey, event.aggregateId, event.envelopeJson,
                          nonEmpty(event.requestId), nonEmpty(event.traceId), event.producer});
    if (done.rows() == 1) {
      written();
      return {Completion::completed, taskAt(done, 0)};
    }
  }
}

}  // namespace workstream::tasks
