#include "ops/dlq_message.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <charconv>

#include "events/event_message.hpp"
#include "events/failure_routing.hpp"
#include "workstream/core/config_values.hpp"

namespace workstream::ops {
namespace json = boost::json;
namespace {

// The error context a dead-lettered copy carries, and its name in a replay
// history entry.
struct ErrorHeader {
  std::string_view header, key;
};
constexpr ErrorHeader kErrorHeaders[] = {{"x-error-code", "error_code"},
                                         {"x-error-message", "error_message"},
                                         {"x-attempts", "attempts"},
                                         {"x-first-failure-at", "first_failure_at"},
                                         {"x-last-failure-at", "last_failure_at"},
                                         {"x-consumer", "consumer"}};

bool isHistoryField(std::string_view key) {
  if (key == "replayed_at") return true;
  for (const auto& error : kErrorHeaders) {
    if (key == error.key) return true;
  }
  return false;
}

std::string field(std::string_view text) { return events::boundedText(text, kMaxReplayFieldBytes); }

// The entries of an earlier history, re-bounded: the header came from the
// wire, so anything but an array of objects of strings is dropped.
json::array earlierHistory(const DlqMessage& message) {
  json::array kept;
  std::error_code ec;
  const auto parsed = json::parse(message.header(kReplayHistoryHeader), ec);
  if (ec || !parsed.is_array()) return kept;
  for (const auto& entry : parsed.as_array()) {
    if (!entry.is_object()) continue;
    json::object bounded;
    for (const auto& [key, value] : entry.as_object()) {
      if (value.is_string() && isHistoryField(key)) bounded[key] = field(value.as_string());
    }
    if (!bounded.empty()) kept.push_back(std::move(bounded));
  }
  return kept;
}

}  // namespace

std::string DlqMessage::header(std::string_view name) const {
  const auto it = delivery.headers.find(std::string(name));
  return it == delivery.headers.end() ? std::string() : it->second;
}

bool matches(const DlqFilter& filter, const DlqMessage& message) {
  if (filter.errorCode && message.header("x-error-code") != *filter.errorCode) return false;
  if (filter.eventType && message.delivery.type != *filter.eventType) return false;
  if (filter.eventId && message.delivery.messageId != *filter.eventId) return false;
  if (filter.since) {
    const auto last = parseRfc3339(message.header("x-last-failure-at"));
    if (!last || *last < *filter.since) return false;
  }
  return true;
}

Parsed<std::vector<events::ConsumerQueue>> parseQueues(std::string_view text) {
  if (text.empty()) return events::consumerQueues();
  for (const auto& queue : events::consumerQueues()) {
    if (text == queue.name || text == queue.deadLetterQueue() ||
        "workstream." + std::string(text) == queue.name) {
      return std::vector<events::ConsumerQueue>{queue};
    }
  }
  return Invalid{"unknown queue \"" + std::string(text) + "\" (expected notifications or mailer)"};
}

Parsed<Timestamp> parseSince(std::string_view text, Timestamp now) {
  if (auto instant = parseRfc3339(text)) return *instant;
  if (text.ends_with('d')) {
    long long days = -1;
    const auto* end = text.data() + text.size() - 1;
    const auto [stop, ec] = std::from_chars(text.data(), end, days);
    if (ec == std::errc{} && stop == end && days >= 0 && days <= 36500) {
      return now - std::chrono::days(days);
    }
  } else if (auto ago = config_values::parseDuration(text)) {
    return now - *ago;
  }
  return Invalid{"invalid --since \"" + std::string(text) +
                 "\" (expected a duration such as 10m, 1h, 2d, or an RFC 3339 time such as "
                 "2026-11-22T10:00:00Z)"};
}

Parsed<double> parseRate(std::string_view text) {
  std::string_view number = text;
  if (number.ends_with("/s")) number.remove_suffix(2);
  double rate = 0;
  const auto [stop, ec] = std::from_chars(number.data(), number.data() + number.size(), rate);
  if (ec != std::errc{} || stop != number.data() + number.size() || !(rate > 0) || rate > 10000) {
    return Invalid{"invalid --rate \"" + std::string(text) +
                   "\" (expected messages per second, e.g. 5/s, more than 0 and at most 10000)"};
  }
  return rate;
}

events::OutgoingMessage replayCopy(const DlqMessage& message, std::string_view now) {
  const auto& d = message.delivery;
  events::OutgoingMessage copy = events::copyOf(d);
  copy.routingKey = message.consumer.name;  // the default exchange: straight to the queue
  for (const auto& [key, value] : d.headers) {
    if (!key.starts_with("x-")) copy.headers.emplace_back(key, value);
  }
  // A message without one reached the DLQ some other way; the consumer then
  // sees the key the copy arrives with, as for any message published to it.
  if (const auto original = message.header("x-original-routing-key"); !original.empty())
    copy.headers.emplace_back("x-original-routing-key", field(original));

  json::object entry{{"replayed_at", field(now)}};
  for (const auto& error : kErrorHeaders) {
    if (d.headers.contains(std::string(error.header)))
      entry[error.key] = field(message.header(error.header));
  }
  auto history = earlierHistory(message);
  history.push_back(std::move(entry));
  const std::size_t drop =
      history.size() > kMaxReplayHistoryEntries ? history.size() - kMaxReplayHistoryEntries : 0;
  history.erase(history.begin(), history.begin() + static_cast<std::ptrdiff_t>(drop));
  copy.headers.emplace_back(std::string(kReplayHistoryHeader), json::serialize(history));
  return copy;
}

}  // namespace workstream::ops
