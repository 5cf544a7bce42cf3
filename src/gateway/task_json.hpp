#pragma once

// The REST representation of tasks: snake_case JSON, RFC 3339 UTC times,
// null for what a task does not have.

#include <string>
#include <string_view>

#include "workstream/core/result.hpp"
#include "workstream/tasks/task.hpp"

namespace workstream::gateway {

std::string taskJson(const tasks::Task& task);
std::string pageJson(const tasks::TaskPage& page);

// Why a request body was refused: INVALID_JSON, or VALIDATION_FAILED naming
// the field.
struct BodyError {
  std::string code;
  std::string message;
  std::string field;
};

// {"title": string, "description": string|null, "assignee_email": string|null};
// any other member is an error. Domain rules (lengths, formats) are the tasks
// service's to check.
Result<tasks::NewTask, BodyError> parseCreateBody(std::string_view body);

// A body that must say nothing: empty, or {}.
std::optional<BodyError> checkEmptyBody(std::string_view body);

}  // namespace workstream::gateway
