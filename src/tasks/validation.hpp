#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "workstream/tasks/task.hpp"

namespace workstream::tasks {

constexpr std::size_t kMaxTitleChars = 200;
constexpr std::size_t kMaxDescriptionChars = 10'000;
constexpr std::size_t kMaxIdempotencyKeyChars = 200;

// Checks a create request against the domain's rules and normalises it
// (trims the title). Returns the first violation, naming its field.
std::optional<TaskError> validateNewTask(NewTask& task);

// Whether `text` is well-formed UTF-8, as protobuf requires of every string
// field: a caller checks what it got from a client before it crosses.
bool isValidUtf8(std::string_view text);

// The canonical form of a task id, or a validation error naming `field`.
std::optional<TaskError> validateId(std::string_view id, std::string& canonical,
                                    std::string_view field = "id");

}  // namespace workstream::tasks
