#pragma once

#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "workstream/tasks/task.hpp"

namespace workstream::tasks {

// An event to publish, written to the outbox in the same transaction as the
// state change it reports.
struct OutboxEvent {
  std::string eventId;
  std::string eventType;    // e.g. workstream.task.created.v1
  std::string routingKey;   // the type without its version
  std::string aggregateId;  // the task id: events of one task keep their order
  std::string envelopeJson;
  std::string requestId;  // of the request that caused it; kept beside the envelope
  // Copies of the envelope's trace_id and producer, kept beside it so the
  // relay reads them without parsing the envelope.
  std::string traceId;
  std::string producer;
};

// Where listing resumes: strictly after this task in newest-first order.
struct PageCursor {
  Timestamp createdAt;
  std::string id;
};

struct StoreQuery {
  int limit = 20;
  std::optional<PageCursor> after;
  std::optional<TaskStatus> status;
};

// The tasks' system of record and their outbox.
//
// Promises: a state change and its event commit together or not at all; of
// concurrent completions of one task exactly one succeeds; an idempotency
// key maps to one task however many concurrent creates carry it.
// Infrastructure failures throw Unavailable or TimedOut (core/errors.hpp).
class TaskStore {
 public:
  virtual ~TaskStore() = default;

  struct Created {
    Task task;
    bool replayed = false;  // the key was seen: `task` is the earlier one
  };
  // Inserts the task and its event. With an idempotency key seen in the last
  // 24 hours, inserts nothing and returns the task created under that key.
  virtual Created create(const Task& task, const OutboxEvent& event,
                         const std::optional<std::string>& idempotencyKey) = 0;

  // create() of a task with no idempotency key, without blocking the
  // caller, when the store can start it now: as tryGetAsync below, `done`
  // called once on the caller's loop with what create() would return or the
  // exception it would throw. False: call create() instead.
  using CreateDone = std::function<void(std::optional<Created>, std::exception_ptr)>;
  virtual bool tryCreateAsync(const Task& /*task*/, const OutboxEvent& /*event*/,
                              CreateDone& /*done*/) {
    return false;
  }

  virtual std::optional<Task> get(const std::string& id) = 0;

  // get() without blocking the caller, when the store can start one now
  // (the caller runs an event loop, core/event_loop.hpp): true, and `done`
  // is taken and called once, on the caller's loop, with what get() would
  // return or the exception it would throw. False when it cannot (`done`
  // untouched, nothing started): call get() instead.
  using GetDone = std::function<void(std::optional<Task>, std::exception_ptr)>;
  virtual bool tryGetAsync(const std::string& /*id*/, GetDone& /*done*/) { return false; }

  // Up to `limit` tasks, newest first (created_at, then id, descending).
  virtual std::vector<Task> list(const StoreQuery& query) = 0;

  enum class Completion { completed, notFound, alreadyCompleted };
  struct Completed {
    Completion outcome;
    std::optional<Task> task;  // the completed task, when outcome is completed
  };
  // Moves an open task to completed at `at` and writes the event `makeEvent`
  // builds from the completed task, in one transaction.
  virtual Completed complete(const std::string& id, Timestamp at,
                             const std::function<OutboxEvent(const Task&)>& makeEvent) = 0;
};

}  // namespace workstream::tasks
