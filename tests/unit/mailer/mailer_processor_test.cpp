#include <catch2/catch.hpp>
#include <cstdio>
#include <functional>
#include <map>

#include "events/failure_routing.hpp"
#include "fakes/memory_delivery_log.hpp"
#include "mailer/mailer_processor.hpp"
#include "workstream/core/errors.hpp"

using namespace workstream;
using namespace workstream::mailer;

namespace {

// The Redis adapter's semantics in memory, with switches to fail each call.
struct MemoryMailed final : events::DedupStore {
  std::map<std::string, std::string> keys;
  bool failMark = false;
  bool down = false;  // every call fails

  bool processed(const std::string& id) override {
    if (down) throw Unavailable("Redis: connection refused");
    return keys.count(id) && keys[id] == "1";
  }
  void markProcessed(const std::string& id) override {
    if (failMark) throw Unavailable("Redis: connection reset");
    keys[id] = "1";
  }
  bool claim(const std::string& id, std::chrono::seconds) override {
    if (down) throw Unavailable("Redis: connection refused");
    return keys.emplace(id, "claimed").second;
  }
  void release(const std::string& id) override {
    if (keys.count(id) && keys[id] == "claimed") keys.erase(id);
  }
};

// The in-memory delivery log (held to Redis's behaviour by its contract),
// with a switch to fail every call.
struct MemoryDeliveries final : DeliveryLog {
  fakes::MemoryDeliveryLog real;
  bool fail = false;

  void sent(const std::string& id, const std::string& requestedAt, Timestamp at,
            const std::string& messageId) override {
    if (fail) throw Unavailable("Redis: connection reset");
    real.sent(id, requestedAt, at, messageId);
  }
  void failed(const std::string& id, const std::string& requestedAt,
              const DeliveryFailure& failure) override {
    if (fail) throw Unavailable("Redis: connection reset");
    real.failed(id, requestedAt, failure);
  }
  std::optional<DeliveryRecord> find(const std::string& id) override { return real.find(id); }
};

struct ScriptedSender final : MailSender {
  int sent = 0;
  SendResult::Kind answer = SendResult::Kind::sent;
  std::function<void()> whileSending;
  Mail last;

  SendResult send(const Mail& mail) override {
    last = mail;
    if (whileSending) std::exchange(whileSending, nullptr)();
    if (answer == SendResult::Kind::sent) ++sent;
    return {answer, answer == SendResult::Kind::sent ? "250 OK" : "451 try later"};
  }
};

events::Envelope request() {
  events::Envelope e;
  e.eventId = "0af76519-16cd-43dd-8448-eb211c80319c";
  e.eventType = "workstream.mail.send.v1";
  e.traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
  e.occurredAt = "2023-11-14T22:13:19.500000Z";
  e.payloadJson = R"({"to": ["a@example.com"], "subject": "Hi", "body": "Hello"})";
  return e;
}

struct Fixture {
  MemoryMailed mailed;
  ScriptedSender sender;
  std::FILE* logFile = std::tmpfile();
  MemoryDeliveries deliveries;
  MailerProcessor processor{mailed,
                            deliveries,
                            sender,
                            {"workstream@example.com"},
                            [] { return Timestamp(std::chrono::seconds(1'700'000'000)); },
                            Logger(std::make_shared<LogSink>(logFile, LogLevel::debug), "mailer")};
  ~Fixture() { std::fclose(logFile); }

  events::Outcome process() { return processor.process(request(), events::Delivery{}); }
};

}  // namespace

TEST_CASE("mailer: a mail sent but not marked, because Redis failed, is done, not resent") {
  Fixture f;
  f.mailed.failMark = true;
  CHECK(f.process().kind == events::Outcome::Kind::done);
  CHECK(f.sender.sent == 1);
  // A copy (a republished request) after the claim expired, Redis still away.
  f.mailed.keys.clear();
  CHECK(f.process().kind == events::Outcome::Kind::done);
  CHECK(f.sender.sent == 1);
  // Redis is back: the next delivery makes the mark.
  f.mailed.failMark = false;
  CHECK(f.process().kind == events::Outcome::Kind::done);
  CHECK(f.mailed.keys.at(request().eventId) == "1");
  CHECK(f.sender.sent == 1);
}

TEST_CASE("mailer: a second copy arriving while the first is being sent is not sent") {
  Fixture f;
  events::Outcome second;
  f.sender.whileSending = [&] { second = f.process(); };
  CHECK(f.process().kind == events::Outcome::Kind::done);
  CHECK(second.kind == events::Outcome::Kind::retry);
  CHECK(second.errorCode == "MAIL_IN_PROGRESS");
  CHECK(f.sender.sent == 1);
  CHECK(f.process().kind == events::Outcome::Kind::done);  // its retry: already mailed
  CHECK(f.sender.sent == 1);
}

TEST_CASE("mailer: a failed send releases the claim so that the retry can send") {
  Fixture f;
  f.sender.answer = SendResult::Kind::transient;
  CHECK(f.process().kind == events::Outcome::Kind::retry);
  f.sender.answer = SendResult::Kind::sent;
  CHECK(f.process().kind == events::Outcome::Kind::done);
  CHECK(f.sender.sent == 1);
  CHECK(f.mailed.keys.at(request().eventId) == "1");
}

TEST_CASE("mailer: a trace id that is not the contract's stays out of the mail's headers") {
  Fixture f;
  auto injected = request();
  injected.traceId = "4bf92f3577b34da6a3ce929d0e0e4736\r\nBcc: someone@example.org";
  CHECK(f.processor.process(injected, events::Delivery{}).kind == events::Outcome::Kind::done);
  CHECK(f.sender.last.traceId.empty());
  CHECK(composeMessage(f.sender.last).find("Bcc:") == std::string::npos);

  Fixture g;
  CHECK(g.process().kind == events::Outcome::Kind::done);
  CHECK(g.sender.last.traceId == request().traceId);
}

TEST_CASE("mailer: a sent mail's time and Message-ID are kept for its request") {
  Fixture f;
  REQUIRE(f.process().kind == events::Outcome::Kind::done);
  const auto record = f.deliveries.find(request().eventId);
  REQUIRE(record);
  CHECK(record->messageId == "<0af76519-16cd-43dd-8448-eb211c80319c@workstream>");
  CHECK(record->sentAt == "2023-11-14T22:13:20.000000Z");
  CHECK(record->requestedAt == "2023-11-14T22:13:19.500000Z");
  CHECK(record->failedAt.empty());
}

TEST_CASE("mailer: a failed attempt is kept with its code, reason and attempt") {
  Fixture f;
  f.sender.answer = SendResult::Kind::transient;
  events::Delivery third;
  third.attempt = 3;
  REQUIRE(f.processor.process(request(), third).kind == events::Outcome::Kind::retry);
  auto record = f.deliveries.find(request().eventId);
  REQUIRE(record);
  CHECK(record->errorCode == "SMTP_UNAVAILABLE");
  CHECK(record->errorMessage == "451 try later");
  CHECK(record->attempt == 3);
  CHECK_FALSE(record->deadLettered);
  CHECK(record->sentAt.empty());

  f.sender.answer = SendResult::Kind::permanent;
  REQUIRE(f.process().kind == events::Outcome::Kind::poison);
  record = f.deliveries.find(request().eventId);
  CHECK(record->errorCode == "SMTP_REJECTED");
  CHECK(record->deadLettered);
}

TEST_CASE("mailer: a delivery log that fails changes no outcome") {
  Fixture f;
  f.deliveries.fail = true;
  CHECK(f.process().kind == events::Outcome::Kind::done);
  CHECK(f.sender.sent == 1);
  f.mailed.keys.clear();
  f.sender.answer = SendResult::Kind::transient;
  CHECK(f.process().kind == events::Outcome::Kind::retry);
}

TEST_CASE("mailer: the mail as sent: sender, recipients, subject, body, date and Message-ID") {
  Fixture f;
  REQUIRE(f.process().kind == events::Outcome::Kind::done);
  CHECK(f.sender.last.eventId == request().eventId);
  CHECK(f.sender.last.from == "workstream@example.com");
  CHECK(f.sender.last.to == std::vector<std::string>{"a@example.com"});
  CHECK(f.sender.last.subject == "Hi");
  CHECK(f.sender.last.body == "Hello");
  CHECK(f.sender.last.date == Timestamp(std::chrono::seconds(1'700'000'000)));
  CHECK(composeMessage(f.sender.last).find("Message-ID: <" + request().eventId + "@workstream>") !=
        std::string::npos);
}

TEST_CASE("mailer: a request already mailed is done without a send") {
  Fixture f;
  f.mailed.keys[request().eventId] = "1";
  CHECK(f.process().kind == events::Outcome::Kind::done);
  CHECK(f.sender.sent == 0);
  CHECK_FALSE(f.deliveries.find(request().eventId));
}

TEST_CASE("mailer: a request that can never be mailed is poison, before any claim or send") {
  Fixture f;
  auto injected = request();
  injected.payloadJson = R"({"to": ["a@example.com"], "subject": "Hi\r\nBcc: x@y.z", "body": "b"})";
  const auto outcome = f.processor.process(injected, events::Delivery{});
  CHECK(outcome.kind == events::Outcome::Kind::poison);
  CHECK(outcome.errorCode == "INVALID_MAIL");
  CHECK(f.sender.sent == 0);
  CHECK(f.mailed.keys.empty());
  const auto record = f.deliveries.find(request().eventId);
  REQUIRE(record);
  CHECK(record->errorCode == "INVALID_MAIL");
  CHECK(record->deadLettered);
}

TEST_CASE("mailer: a permanent refusal releases the claim, so a replay from the DLQ can send") {
  Fixture f;
  f.sender.answer = SendResult::Kind::permanent;
  REQUIRE(f.process().kind == events::Outcome::Kind::poison);
  CHECK(f.mailed.keys.count(request().eventId) == 0);
  f.sender.answer = SendResult::Kind::sent;
  CHECK(f.process().kind == events::Outcome::Kind::done);
  CHECK(f.sender.sent == 1);
}

TEST_CASE("mailer: Redis down before the send is the runtime's retry, and logged as such") {
  Fixture f;
  f.mailed.down = true;
  CHECK_THROWS_AS(f.process(), Unavailable);
  const auto outcome = events::outcomeOf([&] { return f.process(); });
  CHECK(outcome.kind == events::Outcome::Kind::retry);
  CHECK(outcome.errorCode == "DEPENDENCY_UNAVAILABLE");
  CHECK(outcome.errorMessage == "Redis: connection refused");
  CHECK(f.sender.sent == 0);
  const auto record = f.deliveries.find(request().eventId);
  REQUIRE(record);
  CHECK(record->errorCode == "DEPENDENCY_UNAVAILABLE");
  CHECK(record->errorMessage == "Redis: connection refused");
  CHECK_FALSE(record->deadLettered);
  f.mailed.down = false;
  CHECK(f.process().kind == events::Outcome::Kind::done);
  CHECK(f.sender.sent == 1);
}
