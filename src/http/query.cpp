#include "workstream/http/query.hpp"

#include <boost/url/parse_query.hpp>
#include <charconv>
#include <set>

namespace workstream::http {

Result<std::vector<QueryParam>, QueryProblem> parseQuery(std::string_view text) {
  auto params = boost::urls::parse_query(boost::core::string_view(text.data(), text.size()));
  if (!params) return QueryProblem{"query", "malformed query string"};
  std::vector<QueryParam> out;
  std::set<std::string> seen;
  for (const auto& param : *params) {
    QueryParam decoded{param.key.decode(), param.value.decode()};
    if (!seen.insert(decoded.name).second) {
      return QueryProblem{decoded.name, decoded.name + " is given twice"};
    }
    out.push_back(std::move(decoded));
  }
  return out;
}

std::optional<int> parseBoundedInt(std::string_view text, int min, int max) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < min || value > max) {
    return std::nullopt;
  }
  return value;
}

QueryProblem unknownParameter(const std::string& name) {
  return {name, "unknown query parameter \"" + name + "\""};
}

}  // namespace workstream::http
