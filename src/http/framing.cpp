#include "http/framing.hpp"

#include <strings.h>

#include <vector>

namespace workstream::http {
namespace {

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

std::string_view trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// Every value of the header, in order, comma-separated lists taken apart.
std::vector<std::string_view> listValues(const Headers& headers, std::string_view name) {
  std::vector<std::string_view> values;
  for (const auto& [key, value] : headers) {
    if (!equalsIgnoringCase(key, name)) continue;
    std::string_view rest = value;
    while (true) {
      const auto comma = rest.find(',');
      if (auto item = trimmed(rest.substr(0, comma)); !item.empty()) values.push_back(item);
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return values;
}

std::size_t count(const Headers& headers, std::string_view name) {
  std::size_t n = 0;
  for (const auto& [key, value] : headers) n += equalsIgnoringCase(key, name) ? 1 : 0;
  return n;
}

}  // namespace

std::optional<std::string> framingProblem(unsigned version, const Headers& headers) {
  if (count(headers, "Transfer-Encoding") > 0) {
    const auto codings = listValues(headers, "Transfer-Encoding");
    if (codings.size() != 1 || !equalsIgnoringCase(codings.front(), "chunked")) {
      return "Transfer-Encoding must be chunked alone";
    }
    if (count(headers, "Content-Length") > 0) {
      return "Transfer-Encoding and Content-Length together";
    }
    if (version < 11) return "Transfer-Encoding in an HTTP/1.0 request";
  }
  if (version >= 11 && count(headers, "Host") != 1) return "an HTTP/1.1 request needs one Host";
  return std::nullopt;
}

bool expectsContinue(const Headers& headers) {
  for (const auto value : listValues(headers, "Expect")) {
    if (equalsIgnoringCase(value, "100-continue")) return true;
  }
  return false;
}

}  // namespace workstream::http
