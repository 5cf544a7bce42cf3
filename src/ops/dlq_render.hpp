#pragma once

// How `workstream dlq` prints dead-lettered messages: a table for people,
// JSON for scripts, and one message whole.

#include <string>
#include <vector>

#include "ops/dlq_message.hpp"

namespace workstream::ops {

// One line per message (event id, type, error code and message, attempts,
// first and last failure, original routing key) under a header line.
std::string renderTable(const std::vector<DlqMessage>& messages);
// One JSON array of objects with the same fields, and the queue.
std::string renderJson(const std::vector<DlqMessage>& messages);
// Properties, headers and the body, a JSON body indented.
std::string renderWhole(const DlqMessage& message);
// `text` indented two spaces a level if it is JSON, else as it is.
std::string prettyJson(const std::string& text);

}  // namespace workstream::ops
