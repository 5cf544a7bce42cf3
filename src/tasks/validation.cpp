#include "tasks/validation.hpp"

#include <algorithm>

#include "workstream/core/email.hpp"
#include "workstream/core/uuid.hpp"

namespace workstream::tasks {
namespace {

struct TextStats {
  bool validUtf8 = true;
  bool hasControl = false;      // C0, DEL or C1, except tab and line breaks
  bool hasLineControl = false;  // tab, CR or LF
  std::size_t chars = 0;        // code points
};

// Walks UTF-8, counting code points and spotting control characters.
TextStats scan(std::string_view text) {
  TextStats stats;
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const std::size_t length = lead < 0x80           ? 1
                               : (lead >> 5) == 0x6  ? 2
                               : (lead >> 4) == 0xE  ? 3
                               : (lead >> 3) == 0x1E ? 4
                                                     : 0;
    if (length == 0 || i + length > text.size()) return stats.validUtf8 = false, stats;
    char32_t cp = length == 1 ? lead : lead & (0x7F >> length);
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return stats.validUtf8 = false, stats;
      cp = (cp << 6) | (next & 0x3F);
    }
    const bool overlong =
        (length == 2 && cp < 0x80) || (length == 3 && cp < 0x800) || (length == 4 && cp < 0x10000);
    if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return stats.validUtf8 = false, stats;
    }
    if (cp == '\t' || cp == '\n' || cp == '\r') {
      stats.hasLineControl = true;
    } else if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
      stats.hasControl = true;
    }
    ++stats.chars;
    i += length;
  }
  return stats;
}

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

TaskError invalid(std::string field, std::string message) {
  return {ErrorCode::validationFailed, std::move(message), std::move(field)};
}

}  // namespace

Result<NewTask, TaskError> validateNewTask(NewTask task) {
  const auto title = scan(task.title);
  if (!title.validUtf8) return invalid("title", "title must be valid UTF-8");
  if (title.hasControl || trim(task.title).find_first_of("\t\r\n") != std::string_view::npos) {
    return invalid("title", "title must not contain control characters");
  }
  task.title = std::string(trim(task.title));
  const auto chars = scan(task.title).chars;
  if (chars == 0) return invalid("title", "title is required");
  if (chars > kMaxTitleChars) return invalid("title", "title must be at most 200 characters");

  if (task.description) {
    const auto description = scan(*task.description);
    if (!description.validUtf8) return invalid("description", "description must be valid UTF-8");
    if (description.hasControl) {
      return invalid("description", "description must not contain control characters");
    }
    if (description.chars > kMaxDescriptionChars) {
      return invalid("description", "description must be at most 10000 characters");
    }
  }
  if (task.assigneeEmail && !isValidEmail(*task.assigneeEmail)) {
    return invalid("assignee_email", "assignee_email must be a valid email address");
  }
  if (task.idempotencyKey) {
    const auto& key = *task.idempotencyKey;
    const bool printable =
        std::all_of(key.begin(), key.end(), [](char c) { return c > 0x20 && c < 0x7F; });
    if (key.empty() || key.size() > kMaxIdempotencyKeyChars || !printable) {
      return invalid("idempotency_key",
                     "idempotency key must be 1-200 printable ASCII characters without spaces");
    }
  }
  return task;
}

bool isValidUtf8(std::string_view text) { return scan(text).validUtf8; }

Result<std::string, TaskError> validateId(std::string_view id, std::string_view field) {
  auto uuid = canonicalUuid(id);
  if (!uuid) return invalid(std::string(field), std::string(field) + " must be a UUID");
  return std::move(*uuid);
}

}  // namespace workstream::tasks
