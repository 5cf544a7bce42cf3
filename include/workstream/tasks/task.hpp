#pragma once

// The task domain: what a task is, the outcomes callers must handle, and the
// queries the tasks API answers. No transport or driver types here.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "workstream/core/time.hpp"

namespace workstream::tasks {

enum class TaskStatus { open, completed };

std::string_view toString(TaskStatus status);
std::optional<TaskStatus> taskStatusFromString(std::string_view text);

struct Task {
  std::string id;  // canonical lowercase UUID
  std::string title;
  std::optional<std::string> description;
  std::optional<std::string> assigneeEmail;
  TaskStatus status = TaskStatus::open;
  Timestamp createdAt;
  Timestamp updatedAt;
  std::optional<Timestamp> completedAt;
};

// What a client asks to create, before validation.
struct NewTask {
  std::string title;
  std::optional<std::string> description;
  std::optional<std::string> assigneeEmail;
  std::optional<std::string> idempotencyKey;
};

// The expected failures of the tasks API, each with its stable code.
enum class ErrorCode {
  validationFailed,      // VALIDATION_FAILED: `field` names the offending field
  notFound,              // TASK_NOT_FOUND
  alreadyCompleted,      // TASK_ALREADY_COMPLETED: an illegal transition
  invalidPageToken,      // INVALID_PAGE_TOKEN
  idempotencyKeyReused,  // IDEMPOTENCY_KEY_REUSED: same key, different task
};

std::string_view toString(ErrorCode code);

struct TaskError {
  ErrorCode code;
  std::string message;
  std::string field;  // for validationFailed
};

struct ListQuery {
  int pageSize = 0;  // 0 means the default, 20
  std::string pageToken;
  std::optional<TaskStatus> status;
};

struct TaskPage {
  std::vector<Task> tasks;
  std::string nextPageToken;  // empty on the last page
};

// Who asked, for logs and for the events the call emits.
struct CallContext {
  std::string requestId;
  std::string traceId;  // 32 lowercase hex digits (W3C trace id)
};

}  // namespace workstream::tasks
