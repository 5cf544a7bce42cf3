#include "ops/dlq_render.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <charconv>

namespace workstream::ops {
namespace json = boost::json;
namespace {

constexpr std::size_t kTableMessageChars = 60;

struct Summary {
  std::string queue, eventId, eventType, errorCode, errorMessage, attempts, firstFailure,
      lastFailure, routingKey;
};

Summary summarise(const DlqMessage& m) {
  return {m.consumer.deadLetterQueue(),   m.delivery.messageId,          m.delivery.type,
          m.header("x-error-code"),       m.header("x-error-message"),   m.header("x-attempts"),
          m.header("x-first-failure-at"), m.header("x-last-failure-at"), m.delivery.routingKey};
}

// A table cell on one line: no line breaks, long messages cut.
std::string cell(std::string text, std::size_t limit = std::string::npos) {
  std::replace_if(
      text.begin(), text.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  if (text.size() > limit) text = text.substr(0, limit - 3) + "...";
  return text.empty() ? "-" : text;
}

void pretty(std::string& out, const json::value& value, int depth) {
  const std::string indent(static_cast<std::size_t>(depth + 1) * 2, ' ');
  const std::string closing(static_cast<std::size_t>(depth) * 2, ' ');
  if (value.is_object() && !value.as_object().empty()) {
    out += "{\n";
    bool first = true;
    for (const auto& [key, member] : value.as_object()) {
      out += (first ? "" : ",\n") + indent + json::serialize(json::string(key)) + ": ";
      pretty(out, member, depth + 1);
      first = false;
    }
    out += "\n" + closing + "}";
  } else if (value.is_array() && !value.as_array().empty()) {
    out += "[\n";
    bool first = true;
    for (const auto& element : value.as_array()) {
      out += (first ? "" : ",\n") + indent;
      pretty(out, element, depth + 1);
      first = false;
    }
    out += "\n" + closing + "]";
  } else {
    out += json::serialize(value);
  }
}

}  // namespace

std::string renderTable(const std::vector<DlqMessage>& messages) {
  using Row = std::array<std::string, 9>;
  std::vector<Row> rows{{"QUEUE", "EVENT_ID", "TYPE", "ERROR_CODE", "ATTEMPTS", "FIRST_FAILURE",
                         "LAST_FAILURE", "ROUTING_KEY", "ERROR_MESSAGE"}};
  for (const auto& m : messages) {
    const auto s = summarise(m);
    rows.push_back({cell(s.queue), cell(s.eventId), cell(s.eventType), cell(s.errorCode),
                    cell(s.attempts), cell(s.firstFailure), cell(s.lastFailure), cell(s.routingKey),
                    cell(s.errorMessage, kTableMessageChars)});
  }
  std::array<std::size_t, 9> widths{};
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    for (std::size_t i = 0; i + 1 < row.size(); ++i)
      out += fmt::format("{:<{}}  ", row[i], widths[i]);
    out += row.back() + "\n";
  }
  return out;
}

std::string renderJson(const std::vector<DlqMessage>& messages) {
  json::array out;
  for (const auto& m : messages) {
    const auto s = summarise(m);
    json::value attempts(s.attempts);
    long long count = 0;
    const auto* end = s.attempts.data() + s.attempts.size();
    if (auto [stop, ec] = std::from_chars(s.attempts.data(), end, count);
        ec == std::errc{} && stop == end && !s.attempts.empty()) {
      attempts = count;
    }
    out.push_back(json::object{{"queue", s.queue},
                               {"event_id", s.eventId},
                               {"event_type", s.eventType},
                               {"error_code", s.errorCode},
                               {"error_message", s.errorMessage},
                               {"attempts", attempts},
                               {"first_failure_at", s.firstFailure},
                               {"last_failure_at", s.lastFailure},
                               {"original_routing_key", s.routingKey},
                               {"consumer", m.header("x-consumer")}});
  }
  return json::serialize(out) + "\n";
}

std::string renderWhole(const DlqMessage& m) {
  const auto& d = m.delivery;
  std::string out = fmt::format("queue: {}\nproperties:\n", m.consumer.deadLetterQueue());
  out += fmt::format("  message_id: {}\n  type: {}\n  app_id: {}\n", d.messageId, d.type, d.appId);
  out += fmt::format("  timestamp: {}{}\n", d.timestamp,
                     d.timestamp > 0
                         ? " (" + formatRfc3339(Timestamp(std::chrono::seconds(d.timestamp))) + ")"
                         : "");
  out +=
      fmt::format("  routing_key: {}\n  original_routing_key: {}\n", m.dlqRoutingKey, d.routingKey);
  out += "headers:\n";
  for (const auto& [key, value] : d.headers) {
    out += fmt::format("  {}: {}\n", key, key == kReplayHistoryHeader ? prettyJson(value) : value);
  }
  out += "body:\n" + prettyJson(d.body) + "\n";
  return out;
}

std::string prettyJson(const std::string& text) {
  std::error_code ec;
  const auto value = json::parse(text, ec);
  if (ec) return text;
  std::string out;
  pretty(out, value, 0);
  return out;
}

}  // namespace workstream::ops
