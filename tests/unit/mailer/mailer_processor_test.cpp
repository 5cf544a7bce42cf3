#include <catch2/catch.hpp>
#include <cstdio>
#include <functional>
#include <map>

#include "mailer/mailer_processor.hpp"
#include "workstream/core/errors.hpp"

using namespace workstream;
using namespace workstream::mailer;

namespace {

// The Redis adapter's semantics in memory, with switches to fail each call.
struct MemoryMailed final : events::DedupStore {
  std::map<std::string, std::string> keys;
  bool failMark = false;

  bool processed(const std::string& id) override { return keys.count(id) && keys[id] == "1"; }
  void markProcessed(const std::string& id) override {
    if (failMark) throw Unavailable("Redis: connection reset");
    keys[id] = "1";
  }
  bool claim(const std::string& id, std::chrono::seconds) override {
    return keys.emplace(id, "claimed").second;
  }
  void release(const std::string& id) override {
    if (keys.count(id) && keys[id] == "claimed") keys.erase(id);
  }
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
  e.payloadJson = R"({"to": ["a@example.com"], "subject": "Hi", "body": "Hello"})";
  return e;
}

struct Fixture {
  MemoryMailed mailed;
  ScriptedSender sender;
  std::FILE* logFile = std::tmpfile();
  MailerProcessor processor{mailed,
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
