#pragma once

#include <string>
#include <string_view>

#include "workstream/core/result.hpp"
#include "workstream/tasks/task.hpp"

namespace workstream::tasks {

constexpr std::size_t kMaxTitleChars = 200;
constexpr std::size_t kMaxDescriptionChars = 10'000;
constexpr std::size_t kMaxIdempotencyKeyChars = 200;

// Checks a create request against the domain's rules and returns it
// normalised (the title trimmed), or the first violation, naming its field.
Result<NewTask, TaskError> validateNewTask(NewTask task);

// Whether `text` is well-formed UTF-8, as protobuf requires of every string
// field: a caller checks what it got from a client before it crosses.
bool isValidUtf8(std::string_view text);

// The canonical form of a task id, or a validation error naming `field`.
Result<std::string, TaskError> validateId(std::string_view id, std::string_view field = "id");

}  // namespace workstream::tasks
