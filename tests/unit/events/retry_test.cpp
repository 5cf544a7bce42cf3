#include <catch2/catch.hpp>

#include "events/event_router.hpp"
#include "events/failure_routing.hpp"
#include "workstream/core/errors.hpp"

using namespace workstream::events;
using std::chrono::milliseconds;

namespace {

std::string header(const OutgoingMessage& m, const std::string& key) {
  for (const auto& [k, v] : m.headers) {
    if (k == key) {
      if (const auto* s = std::get_if<std::string>(&v)) return *s;
      return std::to_string(std::get<std::int64_t>(v));
    }
  }
  return "<absent>";
}

Delivery delivery(int attempt) {
  Delivery d;
  d.body = "{}";
  d.messageId = "0af76519-16cd-43dd-8448-eb211c80319c";
  d.type = "workstream.task.created.v1";
  d.routingKey = "workstream.task.created";
  d.attempt = attempt;
  d.headers = {{"traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}};
  return d;
}

const std::string kEnvelope =
    R"({"event_id":"0af76519-16cd-43dd-8448-eb211c80319c","event_type":"workstream.task.created.v1",)"
    R"("occurred_at":"2026-11-22T10:00:00.000000Z","producer":"workstream-tasks",)"
    R"("trace_id":"0af7651916cd43dd8448eb211c80319c","payload":{"task_id":"0af76519-16cd-43dd-8448-eb211c80319c"}})";

}  // namespace

TEST_CASE("retry policy: delays double from the base, with bounded jitter, up to the cap") {
  RetryPolicy policy{5, milliseconds(1000), milliseconds(5000), 0.2};
  CHECK(policy.delayAfter(1, 0.0) == milliseconds(1000));
  CHECK(policy.delayAfter(2, 0.0) == milliseconds(2000));
  CHECK(policy.delayAfter(3, 0.0) == milliseconds(4000));
  CHECK(policy.delayAfter(4, 0.0) == milliseconds(5000));  // capped
  CHECK(policy.delayAfter(1, 0.999) < milliseconds(1200));
  CHECK(policy.delayAfter(1, 0.5) == milliseconds(1100));
  CHECK(policy.retryTiers() == 4);
  CHECK_FALSE(policy.exhausted(4));
  CHECK(policy.exhausted(5));
}

TEST_CASE("failure routing: a transient failure goes to the retry tier of its attempt") {
  RetryPolicy policy{3, milliseconds(100), milliseconds(10'000), 0.0};
  const ConsumerQueue queue{"workstream.mailer", "workstream.mail.*"};
  auto first = failureCopy(delivery(1), Outcome::retryLater("SMTP_DOWN", "refused"), queue, policy,
                           "workstream-mailer", "2026-11-22T10:00:00.000Z", 0.0);
  CHECK(first.exchange.empty());
  CHECK(first.routingKey == "workstream.mailer.retry.1");
  CHECK(first.expirationMs == 100);
  CHECK(header(first, "x-attempts") == "1");
  CHECK(header(first, "x-first-failure-at") == "2026-11-22T10:00:00.000Z");
  CHECK(header(first, "x-original-routing-key") == "workstream.task.created");
  CHECK(header(first, "traceparent").starts_with("00-0af7"));
  CHECK(first.messageId == delivery(1).messageId);

  auto back = delivery(2);  // as it comes back: the first failure time travels along
  back.headers["x-first-failure-at"] = "2026-11-22T10:00:00.000Z";
  auto second = failureCopy(back, Outcome::retryLater("SMTP_DOWN", "refused"), queue, policy,
                            "workstream-mailer", "2026-11-22T10:00:01.000Z", 0.0);
  CHECK(second.routingKey == "workstream.mailer.retry.2");
  CHECK(second.expirationMs == 200);
  CHECK(header(second, "x-first-failure-at") == "2026-11-22T10:00:00.000Z");
  CHECK(header(second, "x-last-failure-at") == "2026-11-22T10:00:01.000Z");
}

TEST_CASE("failure routing: the last attempt and poison go to the DLQ with their context") {
  RetryPolicy policy{3, milliseconds(100), milliseconds(10'000), 0.0};
  const ConsumerQueue queue{"workstream.mailer", "workstream.mail.*"};
  auto last = failureCopy(delivery(3), Outcome::retryLater("SMTP_DOWN", "refused"), queue, policy,
                          "workstream-mailer", "t", 0.0);
  CHECK(last.routingKey == "workstream.mailer.dlq");
  CHECK_FALSE(last.expirationMs.has_value());
  auto poison = failureCopy(delivery(1), Outcome::poison("INVALID_PAYLOAD", "to is empty"), queue,
                            policy, "workstream-mailer", "t", 0.0);
  CHECK(poison.routingKey == "workstream.mailer.dlq");
  CHECK(header(poison, "x-error-code") == "INVALID_PAYLOAD");
  CHECK(header(poison, "x-error-message") == "to is empty");
  CHECK(header(poison, "x-consumer") == "workstream-mailer");
  CHECK(header(poison, "x-attempts") == "1");
  for (const char* key : {"x-first-failure-at", "x-last-failure-at", "x-original-routing-key"}) {
    CHECK(header(poison, key) != "<absent>");
  }
}

TEST_CASE("failure routing: what a copy echoes from the wire is bounded to fit one frame") {
  RetryPolicy policy{3, milliseconds(100), milliseconds(10'000), 0.0};
  const ConsumerQueue queue{"workstream.mailer", "workstream.mail.*"};
  auto d = delivery(1);
  d.routingKey = std::string(100'000, 'r');
  d.headers["x-first-failure-at"] = std::string(100'000, 't');
  d.headers["junk"] = std::string(130'000, 'j');
  for (int i = 0; i < 1000; ++i) d.headers["h" + std::to_string(i)] = std::string(100, 'h');
  std::string message = "no handler for event type \"" + std::string(200'000, 'x');
  message.replace(1020, 2, "\xC3\xA9");  // a two-byte character across the cut
  const auto copy = failureCopy(d, Outcome::poison(std::string(1000, 'C'), message), queue, policy,
                                "workstream-mailer", "t", 0.0);
  std::size_t total = 0;
  for (const auto& [key, value] : copy.headers) {
    total += key.size() + header(copy, key).size();
  }
  CHECK(total < 20'000);
  CHECK(header(copy, "junk") == "<absent>");
  CHECK(header(copy, "traceparent").starts_with("00-0af7"));
  CHECK(header(copy, "x-error-message").size() <= 1024);
  CHECK_THAT(header(copy, "x-error-message"), Catch::StartsWith("no handler for event type"));
  CHECK_THAT(header(copy, "x-error-message"), Catch::EndsWith("x..."));
  CHECK(header(copy, "x-error-code").size() <= 255);
  CHECK(header(copy, "x-original-routing-key").size() <= 255);
  CHECK(header(copy, "x-first-failure-at").size() <= 255);
}

TEST_CASE("event router: dispatches known types and never guesses") {
  EventRouter router;
  int handled = 0;
  router.on(kTaskCreated, [&](const Envelope& e, const Delivery&) {
    ++handled;
    CHECK(e.traceId == "0af7651916cd43dd8448eb211c80319c");
    return Outcome::ok();
  });
  auto with = [](std::string body) {
    Delivery d;
    d.body = std::move(body);
    return d;
  };
  CHECK(router.handle(with(kEnvelope)).kind == Outcome::Kind::done);
  CHECK(handled == 1);

  auto code = [&](std::string body) { return router.handle(with(std::move(body))).errorCode; };
  CHECK(code("not json") == "INVALID_ENVELOPE");
  CHECK(code("[]") == "INVALID_ENVELOPE");
  std::string missing = kEnvelope;
  missing.replace(missing.find("\"producer\""), 10, "\"produced\"");
  CHECK(code(missing) == "INVALID_ENVELOPE");
  std::string v2 = kEnvelope;
  v2.replace(v2.find("created.v1"), 10, "created.v2");
  CHECK(code(v2) == "UNKNOWN_EVENT_TYPE");
  std::string badId = kEnvelope;
  badId.replace(badId.rfind("0af76519-16cd"), 36, "nope");
  CHECK(code(badId) == "INVALID_PAYLOAD");
  CHECK(handled == 1);
}

TEST_CASE("payload checks follow the contracts") {
  CHECK_FALSE(checkMailPayload(R"({"to":["a@b.io"],"subject":"s","body":"b"})"));
  CHECK(checkMailPayload(R"({"to":[],"subject":"s","body":"b"})"));
  CHECK(checkMailPayload(R"({"to":"a@b.io","subject":"s","body":"b"})"));
  CHECK(checkMailPayload(R"({"to":["a@b.io"],"subject":1,"body":"b"})"));
  CHECK(checkTaskPayload(R"({"task_id":"0af76519-16cd-43dd-8448-eb211c80319c","title":5})"));
}

TEST_CASE("failure routing: attempt counts from the wire are untrusted") {
  CHECK(attemptAfterFailures("0") == 1);
  CHECK(attemptAfterFailures("3") == 4);
  // Past the int range, or at its edge: capped, no overflow, dead-lettered next.
  CHECK(attemptAfterFailures("2147483647") == kMaxCountedFailures + 1);
  CHECK(attemptAfterFailures("9223372036854775807") == kMaxCountedFailures + 1);
  CHECK(attemptAfterFailures("99999999999999999999999") == kMaxCountedFailures + 1);
  CHECK(RetryPolicy{}.exhausted(attemptAfterFailures("2147483647")));
  // Negative or not a count: no failures, so the retry tiers run out as usual.
  CHECK(attemptAfterFailures("-5") == 1);
  CHECK(attemptAfterFailures("-2147483648") == 1);
  CHECK(attemptAfterFailures("-99999999999999999999999") == 1);
  CHECK(attemptAfterFailures("") == 1);
  CHECK(attemptAfterFailures("3x") == 1);
  CHECK(attemptAfterFailures("x") == 1);
}

TEST_CASE("consumer runtime: an exception is a retry, its code says whether a server was down") {
  auto unavailable =
      outcomeOf([]() -> Outcome { throw workstream::Unavailable("Redis: refused"); });
  CHECK(unavailable.kind == Outcome::Kind::retry);
  CHECK(unavailable.errorCode == "DEPENDENCY_UNAVAILABLE");
  CHECK(unavailable.errorMessage == "Redis: refused");
  auto timedOut = outcomeOf([]() -> Outcome { throw workstream::TimedOut("statement timeout"); });
  CHECK(timedOut.kind == Outcome::Kind::retry);
  CHECK(timedOut.errorCode == "HANDLER_FAILED");
  CHECK(timedOut.errorMessage == "statement timeout");
  auto odd = outcomeOf([]() -> Outcome { throw 42; });
  CHECK(odd.kind == Outcome::Kind::retry);
  CHECK(odd.errorCode == "HANDLER_FAILED");
  CHECK(outcomeOf([] { return Outcome::poison("X", "y"); }).kind == Outcome::Kind::poison);
}
