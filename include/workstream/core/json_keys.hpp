#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace workstream {

// The first key that appears twice in one JSON object of `json`, at any
// depth, or nullopt (also for text that is not JSON: the parser that reads
// it reports that). JSON parsers disagree on a repeated key (first wins,
// last wins, error), so input that repeats one is ambiguous and refused.
std::optional<std::string> duplicateJsonKey(std::string_view json);

}  // namespace workstream
