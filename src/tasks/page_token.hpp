#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "workstream/tasks/task_store.hpp"

namespace workstream::tasks {

// Page tokens are opaque to clients: a versioned cursor, hex-encoded.
std::string encodePageToken(const PageCursor& cursor);
std::optional<PageCursor> decodePageToken(std::string_view token);

}  // namespace workstream::tasks
