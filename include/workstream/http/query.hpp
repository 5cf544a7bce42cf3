#pragma once

// Query strings as the REST API and the debug API read them.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "workstream/core/result.hpp"

namespace workstream::http {

struct QueryParam {
  std::string name;
  std::string value;  // percent-decoded
};

// Why a query string was refused: the field to name in the 400 ("query" for
// the string as a whole) and what is wrong.
struct QueryProblem {
  std::string field;
  std::string message;
};

// The parameters of `text`, decoded, in order. A malformed string or a name
// given twice is refused.
Result<std::vector<QueryParam>, QueryProblem> parseQuery(std::string_view text);

// A whole number from `min` to `max`, nothing else (no sign, no spaces).
std::optional<int> parseBoundedInt(std::string_view text, int min, int max);

// The refusal of a parameter the route does not know.
QueryProblem unknownParameter(const std::string& name);

}  // namespace workstream::http
