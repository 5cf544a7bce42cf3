#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include "events/failure_routing.hpp"
#include "ops/dlq_message.hpp"

using namespace workstream;
using namespace workstream::ops;

namespace {

DlqMessage deadLetter(std::string errorCode = "SMTP_REFUSED",
                      std::string lastFailure = "2026-11-22T10:00:00.000000Z") {
  DlqMessage m;
  m.consumer = events::mailerQueue();
  m.dlqRoutingKey = "workstream.mailer.dlq";
  auto& d = m.delivery;
  d.body = R"({"event_id":"e1"})";
  d.messageId = "e1";
  d.type = "workstream.mail.send.v1";
  d.appId = "workstream-notifications";
  d.timestamp = 1763805600;
  d.routingKey = "workstream.mail.send";
  d.headers = {{"traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"},
               {"x-attempts", "3"},
               {"x-first-failure-at", "2026-11-22T09:59:00.000000Z"},
               {"x-last-failure-at", lastFailure},
               {"x-original-routing-key", "workstream.mail.send"},
               {"x-error-code", errorCode},
               {"x-error-message", "550 no such user"},
               {"x-consumer", "mailer"}};
  return m;
}

std::string header(const events::OutgoingMessage& m, const std::string& key) {
  for (const auto& [k, v] : m.headers) {
    if (k == key) return std::get<std::string>(v);
  }
  return "<absent>";
}

bool has(const events::OutgoingMessage& m, const std::string& key) {
  return header(m, key) != "<absent>";
}

Timestamp at(const char* text) { return *parseRfc3339(text); }

DlqFilter errorCode(std::string code) {
  DlqFilter f;
  f.errorCode = std::move(code);
  return f;
}

DlqFilter eventType(std::string type) {
  DlqFilter f;
  f.eventType = std::move(type);
  return f;
}

DlqFilter both(std::string code, std::string type) {
  auto f = errorCode(std::move(code));
  f.eventType = std::move(type);
  return f;
}

DlqFilter since(const char* text) {
  DlqFilter f;
  f.since = at(text);
  return f;
}

}  // namespace

TEST_CASE("dlq filters combine with AND and select on the error headers and the type") {
  const auto m = deadLetter();
  CHECK(matches({}, m));
  CHECK(matches(errorCode("SMTP_REFUSED"), m));
  CHECK_FALSE(matches(errorCode("INVALID_PAYLOAD"), m));
  CHECK(matches(eventType("workstream.mail.send.v1"), m));
  CHECK_FALSE(matches(eventType("workstream.task.created.v1"), m));
  CHECK(matches(both("SMTP_REFUSED", "workstream.mail.send.v1"), m));
  CHECK_FALSE(matches(both("SMTP_REFUSED", "other.v1"), m));
  DlqFilter byId;
  byId.eventId = "e1";
  CHECK(matches(byId, m));
  byId.eventId = "e2";
  CHECK_FALSE(matches(byId, m));
}

TEST_CASE("dlq --since matches a last failure at or after it, no readable time never matches") {
  const auto m = deadLetter();
  CHECK(matches(since("2026-11-22T10:00:00Z"), m));
  CHECK(matches(since("2026-11-22T09:00:00Z"), m));
  CHECK_FALSE(matches(since("2026-11-22T10:00:00.000001Z"), m));
  CHECK_FALSE(matches(since("2000-01-01T00:00:00Z"), deadLetter("X", "garbage")));
}

TEST_CASE("dlq --since takes a duration back from now or an RFC 3339 instant") {
  const auto now = at("2026-11-22T10:00:00Z");
  CHECK(parseSince("10m", now).value() == at("2026-11-22T09:50:00Z"));
  CHECK(parseSince("1h", now).value() == at("2026-11-22T09:00:00Z"));
  CHECK(parseSince("2d", now).value() == at("2026-11-20T10:00:00Z"));
  CHECK(parseSince("2026-11-21T08:00:00+01:00", now).value() == at("2026-11-21T07:00:00Z"));
  for (const auto* bad :
       {"", "yesterday", "5x", "-1h", "d", "2.5d", "1e9d", "2026-13-01T00:00:00Z"}) {
    INFO(bad);
    const auto parsed = parseSince(bad, now);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().message ==
          "invalid --since \"" + std::string(bad) +
              "\" (expected a duration such as 10m, 1h, 2d, or an RFC 3339 time such as "
              "2026-11-22T10:00:00Z)");
  }
}

TEST_CASE("dlq --queue names one consumer, or both when empty") {
  CHECK(parseQueues("").value().size() == 2);
  for (const auto* name : {"mailer", "workstream.mailer", "workstream.mailer.dlq"}) {
    const auto queues = parseQueues(name).value();
    REQUIRE(queues.size() == 1);
    CHECK(queues[0].name == "workstream.mailer");
  }
  CHECK(parseQueues("notifications").value()[0].name == "workstream.notifications");
  CHECK(parseQueues("tasks").error().message ==
        "unknown queue \"tasks\" (expected notifications or mailer)");
  CHECK_FALSE(parseQueues("Mailer").ok());
}

TEST_CASE("dlq --rate is a positive number of messages a second") {
  CHECK(parseRate("5").value() == 5.0);
  CHECK(parseRate("5/s").value() == 5.0);
  CHECK(parseRate("0.5/s").value() == 0.5);
  for (const auto* bad : {"", "0", "-1", "fast", "5/m", "5/s/s", "1e6", "nan", "inf"}) {
    INFO(bad);
    const auto parsed = parseRate(bad);
    REQUIRE_FALSE(parsed.ok());
    CHECK_THAT(parsed.error().message, Catch::StartsWith("invalid --rate \"" + std::string(bad)));
  }
}

TEST_CASE(
    "dlq a replay goes to the consumer's queue with the original routing key and no attempts") {
  const auto copy = replayCopy(deadLetter(), "2026-11-22T11:00:00.000000Z");
  CHECK(copy.exchange.empty());
  CHECK(copy.routingKey == "workstream.mailer");
  CHECK(copy.messageId == "e1");
  CHECK(copy.type == "workstream.mail.send.v1");
  CHECK(copy.appId == "workstream-notifications");
  CHECK(copy.timestamp == 1763805600);
  CHECK(copy.body == R"({"event_id":"e1"})");
  CHECK(header(copy, "traceparent") == "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
  CHECK(header(copy, "x-original-routing-key") == "workstream.mail.send");
  for (const auto* gone : {"x-attempts", "x-first-failure-at", "x-last-failure-at", "x-error-code",
                           "x-error-message", "x-consumer"}) {
    INFO(gone);
    CHECK_FALSE(has(copy, gone));
  }
  const auto history = boost::json::parse(header(copy, std::string(kReplayHistoryHeader)));
  REQUIRE(history.as_array().size() == 1);
  const auto& entry = history.as_array()[0].as_object();
  CHECK(entry.at("replayed_at") == "2026-11-22T11:00:00.000000Z");
  CHECK(entry.at("error_code") == "SMTP_REFUSED");
  CHECK(entry.at("error_message") == "550 no such user");
  CHECK(entry.at("attempts") == "3");
  CHECK(entry.at("first_failure_at") == "2026-11-22T09:59:00.000000Z");
  CHECK(entry.at("last_failure_at") == "2026-11-22T10:00:00.000000Z");
  CHECK(entry.at("consumer") == "mailer");
}

TEST_CASE("dlq a replay of a message without an original routing key adds none") {
  auto m = deadLetter();
  m.delivery.headers.erase("x-original-routing-key");
  m.delivery.routingKey = "workstream.mailer.dlq";
  const auto copy = replayCopy(m, "2026-11-22T11:00:00.000000Z");
  CHECK_FALSE(has(copy, "x-original-routing-key"));
  CHECK(copy.routingKey == "workstream.mailer");
}

TEST_CASE("dlq the replay history survives dead-lettering again and stays bounded") {
  auto m = deadLetter();
  m.delivery.headers["x-error-message"] = std::string(100'000, 'e');
  events::RetryPolicy policy;
  policy.maxAttempts = 1;
  std::size_t largest = 0;
  for (int replay = 1; replay <= 30; ++replay) {
    const auto copy = replayCopy(m, "2026-11-22T11:00:00.000000Z");
    const auto history = header(copy, std::string(kReplayHistoryHeader));
    largest = std::max(largest, history.size());
    CHECK(boost::json::parse(history).as_array().size() ==
          std::min<std::size_t>(replay, kMaxReplayHistoryEntries));
    // The consumer fails it again: the DLQ copy must carry the history on.
    events::Delivery back;
    back.messageId = copy.messageId;
    back.type = copy.type;
    back.body = copy.body;
    back.routingKey = header(copy, "x-original-routing-key");
    for (const auto& [k, v] : copy.headers) back.headers[k] = std::get<std::string>(v);
    const auto dlq = events::failureCopy(back, events::Outcome::poison("AGAIN", "failed again"),
                                         events::mailerQueue(), policy, "mailer",
                                         "2026-11-22T12:00:00.000000Z", 0.5);
    REQUIRE(dlq.routingKey == "workstream.mailer.dlq");
    REQUIRE(header(dlq, std::string(kReplayHistoryHeader)) == history);
    m.delivery.headers.clear();
    for (const auto& [k, v] : dlq.headers) {
      m.delivery.headers[k] = std::holds_alternative<std::string>(v)
                                  ? std::get<std::string>(v)
                                  : std::to_string(std::get<std::int64_t>(v));
    }
  }
  CHECK(largest < kMaxReplayHistoryEntries * 8 * (kMaxReplayFieldBytes + 32));
}

TEST_CASE("dlq a replay history that is not ours is dropped, not echoed") {
  auto m = deadLetter();
  for (const auto* foreign :
       {"not json", "{\"a\":1}", R"([1,"x",{"evil":"yes","error_code":7}])"}) {
    INFO(foreign);
    m.delivery.headers[std::string(kReplayHistoryHeader)] = foreign;
    const auto history =
        boost::json::parse(header(replayCopy(m, "2026-11-22T11:00:00Z"), "x-replay-history"));
    for (const auto& entry : history.as_array()) {
      CHECK_FALSE(entry.as_object().empty());
      CHECK_FALSE(entry.as_object().contains("evil"));
      if (entry.as_object().contains("error_code"))
        CHECK(entry.as_object().at("error_code").is_string());
    }
    CHECK(history.as_array().back().as_object().at("error_code") == "SMTP_REFUSED");
  }
}
