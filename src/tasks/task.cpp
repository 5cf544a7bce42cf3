#include "workstream/tasks/task.hpp"

#include <array>

namespace workstream::tasks {

std::string_view toString(TaskStatus status) {
  return status == TaskStatus::open ? "open" : "completed";
}

std::optional<TaskStatus> taskStatusFromString(std::string_view text) {
  if (text == "open") return TaskStatus::open;
  if (text == "completed") return TaskStatus::completed;
  return std::nullopt;
}

std::string_view toString(ErrorCode code) {
  static constexpr std::array<std::string_view, 5> kNames{
      "VALIDATION_FAILED", "TASK_NOT_FOUND", "TASK_ALREADY_COMPLETED", "INVALID_PAGE_TOKEN",
      "IDEMPOTENCY_KEY_REUSED"};
  return kNames[static_cast<std::size_t>(code)];
}

}  // namespace workstream::tasks
