#include "ops/timeline.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace workstream::ops {
namespace {

using std::chrono::milliseconds;

// Stores keep milliseconds (MongoDB) or microseconds (the rest): every time
// is cut to milliseconds, so that a truncated one never seems to come first.
std::optional<Timestamp> toMillis(std::optional<Timestamp> t) {
  if (!t) return std::nullopt;
  return std::chrono::floor<milliseconds>(*t);
}

std::optional<Timestamp> parsed(const std::string& text) {
  return text.empty() ? std::nullopt : toMillis(parseRfc3339(text));
}

std::string formatMillis(Timestamp t) {
  const auto text = formatRfc3339(t);  // 2026-01-02T03:04:05.123456Z
  return text.substr(0, text.size() - 4) + "Z";
}

Hop hop(std::string name, HopState state, std::optional<Timestamp> at = std::nullopt,
        std::vector<std::pair<std::string, std::string>> details = {}) {
  return Hop{std::move(name), state, toMillis(at), std::nullopt, std::move(details)};
}

Hop happened(std::string name, std::optional<Timestamp> at,
             std::vector<std::pair<std::string, std::string>> details = {}) {
  return hop(std::move(name), at ? HopState::done : HopState::notYet, at, std::move(details));
}

// The tasks role's hops: the request, its commit, the relay's publish.
void tasksHops(const EventFacts& f, std::vector<Hop>& hops) {
  const auto& record = f.record;
  if (f.outbox) {
    const auto& row = *f.outbox;
    hops.push_back(happened("request", parsed(row.occurredAt),
                            {{"request_id", row.requestId.empty() ? "unknown" : row.requestId},
                             {"trace_id", row.traceId}}));
    hops.push_back(happened("committed", row.createdAt));
    hops.push_back(happened("published", row.publishedAt));
    return;
  }
  // The relay prunes published rows; the record remembers the envelope.
  const std::vector<std::pair<std::string, std::string>> pruned{{"reason", "outbox row pruned"}};
  if (record) {
    hops.push_back(happened("request", parsed(record->occurredAt),
                            {{"request_id", "unknown"}, {"trace_id", record->traceId}}));
  } else {
    hops.push_back(hop("request", HopState::absent, std::nullopt, pruned));
  }
  hops.push_back(hop("committed", HopState::absent, std::nullopt, pruned));
  hops.push_back(hop("published", HopState::absent, std::nullopt, pruned));
}

void notificationHops(const EventFacts& f, std::vector<Hop>& hops) {
  if (!f.record) {
    hops.push_back(hop("received", HopState::notYet));
    hops.push_back(hop("recorded", HopState::notYet));
    return;
  }
  hops.push_back(
      happened("received", f.record->receivedAt, {{"attempt", std::to_string(f.record->attempt)}}));
  hops.push_back(happened("recorded", f.record->processedAt));
}

Hop mailSent(const mailer::DeliveryRecord& d) {
  std::vector<std::pair<std::string, std::string>> failure;
  if (!d.failedAt.empty()) {
    failure = {{"failed_at", formatMillis(*parsed(d.failedAt))},
               {"error_code", d.errorCode},
               {"error_message", d.errorMessage},
               {"attempt", std::to_string(d.attempt)}};
  }
  if (!d.sentAt.empty()) {
    std::vector<std::pair<std::string, std::string>> details{{"message_id", d.messageId}};
    if (!failure.empty()) details.emplace_back("last_failure", d.errorCode + ": " + d.errorMessage);
    return hop("mail_sent", HopState::done, parsed(d.sentAt), std::move(details));
  }
  if (failure.empty()) return hop("mail_sent", HopState::notYet);
  failure.erase(failure.begin());  // its time is the hop's
  failure.emplace_back("dead_lettered", d.deadLettered ? "true" : "false");
  return hop("mail_sent", d.deadLettered ? HopState::failed : HopState::retrying,
             parsed(d.failedAt), std::move(failure));
}

void mailHops(const EventFacts& f, std::vector<Hop>& hops) {
  if (!f.record) {
    hops.push_back(hop("mail_requested", HopState::notYet));
    hops.push_back(hop("mail_sent", HopState::notYet));
    return;
  }
  const auto& id = f.record->mailRequestId;
  if (id.empty()) {
    const std::vector<std::pair<std::string, std::string>> none{{"reason", "no mail requested"}};
    hops.push_back(hop("mail_requested", HopState::absent, std::nullopt, none));
    hops.push_back(hop("mail_sent", HopState::absent, std::nullopt, none));
    return;
  }
  // The request's publish time is its occurred_at, which the mailer keeps.
  const auto requestedAt = f.delivery ? parsed(f.delivery->requestedAt) : std::nullopt;
  hops.push_back(happened("mail_requested", requestedAt, {{"event_id", id}}));
  hops.push_back(f.delivery ? mailSent(*f.delivery) : hop("mail_sent", HopState::notYet));
}

std::string eventTypeOf(const EventFacts& f) {
  if (f.outbox) return f.outbox->eventType;
  return f.record ? f.record->eventType : std::string();
}

std::string stateName(HopState state) {
  switch (state) {
    case HopState::done:
      return "done";
    case HopState::retrying:
      return "retrying";
    case HopState::failed:
      return "failed";
    case HopState::notYet:
      return "not yet";
    case HopState::absent:
      return "absent";
  }
  return "";
}

}  // namespace

EventTimeline buildTimeline(const EventFacts& facts) {
  EventTimeline timeline{facts.eventId, eventTypeOf(facts), {}};
  tasksHops(facts, timeline.hops);
  notificationHops(facts, timeline.hops);
  mailHops(facts, timeline.hops);
  std::optional<Timestamp> previous;
  for (auto& h : timeline.hops) {
    if (!h.at) continue;
    if (previous) h.gap = std::chrono::duration_cast<milliseconds>(*h.at - *previous);
    previous = h.at;
  }
  return timeline;
}

TaskTrace assembleTrace(std::string taskId, std::string title,
                        const std::vector<EventFacts>& events) {
  TaskTrace trace{std::move(taskId), std::move(title), {}};
  for (const auto& facts : events) trace.events.push_back(buildTimeline(facts));
  auto first = [](const EventTimeline& e) {
    for (const auto& h : e.hops)
      if (h.at) return *h.at;
    return Timestamp::max();
  };
  std::stable_sort(trace.events.begin(), trace.events.end(),
                   [&](const auto& a, const auto& b) { return first(a) < first(b); });
  return trace;
}

std::string renderText(const TaskTrace& trace) {
  std::string out = fmt::format("task {}  \"{}\"\n", trace.taskId, trace.title);
  if (trace.events.empty()) out += "  no events\n";
  for (const auto& event : trace.events) {
    out += fmt::format("\n{}  {}\n", event.eventType, event.eventId);
    for (const auto& h : event.hops) {
      std::string when = h.at ? formatMillis(*h.at) : stateName(h.state);
      std::string gap = h.gap ? fmt::format("{:+}ms", h.gap->count()) : "";
      std::string details = h.at && h.state != HopState::done ? stateName(h.state) : "";
      for (const auto& [key, value] : h.details) {
        details += (details.empty() ? "" : " ") + key + "=" + value;
      }
      auto line = fmt::format("  {:<15} {:<25} {:>9}  {}", h.name, when, gap, details);
      line.erase(line.find_last_not_of(' ') + 1);
      out += line + "\n";
    }
  }
  return out;
}

std::string renderJson(const TaskTrace& trace) {
  boost::json::array events;
  for (const auto& event : trace.events) {
    boost::json::array hops;
    for (const auto& h : event.hops) {
      boost::json::object o{{"hop", h.name}, {"state", stateName(h.state)}};
      o["at"] = h.at ? boost::json::value(formatMillis(*h.at)) : boost::json::value(nullptr);
      o["gap_ms"] = h.gap ? boost::json::value(h.gap->count()) : boost::json::value(nullptr);
      for (const auto& [key, value] : h.details) o[key] = value;
      hops.push_back(std::move(o));
    }
    events.push_back(boost::json::object{
        {"event_id", event.eventId}, {"event_type", event.eventType}, {"hops", std::move(hops)}});
  }
  return boost::json::serialize(boost::json::object{
             {"task_id", trace.taskId}, {"title", trace.title}, {"events", std::move(events)}}) +
         "\n";
}

}  // namespace workstream::ops
