// The notification processor's steps over in-memory adapters (the fakes meet
// the ports' contracts in tests/unit/contracts): what a first delivery, a
// redelivery and each outage do, without servers.
#include "notifications/processor.hpp"

#include <catch2/catch.hpp>
#include <cstdio>

#include "events/failure_routing.hpp"
#include "fakes/memory_dedup_store.hpp"
#include "fakes/memory_record_store.hpp"
#include "workstream/core/errors.hpp"
#include "workstream/core/uuid.hpp"
#include "workstream/events/contracts.hpp"

using namespace workstream;
using namespace workstream::notifications;

namespace {

struct SwitchableRecords final : RecordStore {
  fakes::MemoryRecordStore real;
  bool down = false;
  bool insert(const NotificationRecord& record) override {
    if (down) throw Unavailable("MongoDB: no server available");
    return real.insert(record);
  }
  std::optional<NotificationRecord> find(const std::string& id) override { return real.find(id); }
  std::vector<NotificationRecord> list(const RecordQuery& q) override { return real.list(q); }
};

struct RecordingMailRequests final : MailRequests {
  std::vector<MailRequest> sent;
  bool down = false;
  void send(const MailRequest& request) override {
    if (down) throw Unavailable("RabbitMQ: connection refused");
    sent.push_back(request);
  }
};

events::Envelope taskEvent(const events::EventContract& contract, const char* assignee) {
  std::string payload = R"({"task_id":"0af76519-16cd-43dd-8448-eb211c80319c","title":"Ship")";
  if (assignee != nullptr) payload += R"(,"assignee_email":")" + std::string(assignee) + "\"";
  payload += "}";
  return {newUuid(),
          std::string(contract.type),
          "2026-11-30T10:00:00.000000Z",
          std::string(contract.producer),
          "0af7651916cd43dd8448eb211c80319c",
          payload};
}

struct Fixture {
  fakes::MemoryDedupStore dedup;
  SwitchableRecords records;
  RecordingMailRequests mail;
  std::FILE* logFile = std::tmpfile();
  NotificationProcessor processor{
      dedup, records, mail, [] { return Timestamp(std::chrono::seconds(1'700'000'000)); },
      Logger(std::make_shared<LogSink>(logFile, LogLevel::debug), "notifications")};
  ~Fixture() { std::fclose(logFile); }

  // As the consumer runtime calls it: an exception becomes its outcome.
  events::Outcome process(const events::Envelope& event, int attempt = 1) {
    events::Delivery delivery;
    delivery.attempt = attempt;
    return events::outcomeOf([&] { return processor.process(event, delivery); });
  }
  std::size_t recordsOf(const events::Envelope& event) {
    RecordQuery query;
    query.taskId = "0af76519-16cd-43dd-8448-eb211c80319c";
    query.limit = 100;
    std::size_t n = 0;
    for (const auto& r : records.list(query)) n += r.eventId == event.eventId;
    return n;
  }
};

}  // namespace

TEST_CASE("notifications processor: a first delivery records, requests a mail, remembers") {
  Fixture f;
  const auto event = taskEvent(events::kTaskCreated, "ada@example.com");
  CHECK(f.process(event, 2).kind == events::Outcome::Kind::done);
  const auto record = f.records.find(event.eventId);
  REQUIRE(record);
  CHECK(record->taskId == "0af76519-16cd-43dd-8448-eb211c80319c");
  CHECK(record->attempt == 2);
  REQUIRE(f.mail.sent.size() == 1);
  CHECK(f.mail.sent[0].to == std::vector<std::string>{"ada@example.com"});
  CHECK(f.mail.sent[0].subject == "Task assigned: Ship");
  CHECK(f.mail.sent[0].eventId == uuidV5(kMailRequestNamespace, event.eventId));
  CHECK(record->mailRequestId == f.mail.sent[0].eventId);
  CHECK(f.dedup.processed(event.eventId));
}

TEST_CASE("notifications processor: a redelivery does nothing twice") {
  Fixture f;
  const auto event = taskEvent(events::kTaskCompleted, "ada@example.com");
  f.process(event);
  CHECK(f.process(event).kind == events::Outcome::Kind::done);
  CHECK(f.recordsOf(event) == 1);
  CHECK(f.mail.sent.size() == 1);
  CHECK(f.mail.sent[0].subject == "Task completed: Ship");
}

TEST_CASE("notifications processor: no assignee, no mail") {
  Fixture f;
  const auto event = taskEvent(events::kTaskCreated, nullptr);
  CHECK(f.process(event).kind == events::Outcome::Kind::done);
  CHECK(f.recordsOf(event) == 1);
  CHECK(f.mail.sent.empty());
  CHECK(f.records.find(event.eventId)->mailRequestId.empty());
}

TEST_CASE("notifications processor: MongoDB down is a retry that leaves no mark") {
  Fixture f;
  const auto event = taskEvent(events::kTaskCreated, "ada@example.com");
  f.records.down = true;
  // The processor decides nothing about the outage; the runtime makes it a retry.
  CHECK_THROWS_AS(f.processor.process(event, events::Delivery{}), Unavailable);
  const auto outcome = f.process(event);
  CHECK(outcome.kind == events::Outcome::Kind::retry);
  CHECK(outcome.errorCode == "DEPENDENCY_UNAVAILABLE");
  CHECK(outcome.errorMessage == "MongoDB: no server available");
  CHECK(f.mail.sent.empty());
  CHECK_FALSE(f.dedup.processed(event.eventId));
  f.records.down = false;
  CHECK(f.process(event).kind == events::Outcome::Kind::done);
  CHECK(f.recordsOf(event) == 1);
  CHECK(f.mail.sent.size() == 1);
}

TEST_CASE("notifications processor: a mail request the broker refused is sent again, same id") {
  Fixture f;
  const auto event = taskEvent(events::kTaskCreated, "ada@example.com");
  f.mail.down = true;
  CHECK(f.process(event).kind == events::Outcome::Kind::retry);
  CHECK(f.recordsOf(event) == 1);  // recorded: the retry finds it so
  CHECK_FALSE(f.dedup.processed(event.eventId));
  f.mail.down = false;
  CHECK(f.process(event).kind == events::Outcome::Kind::done);
  CHECK(f.recordsOf(event) == 1);
  REQUIRE(f.mail.sent.size() == 1);
  CHECK(f.mail.sent[0].eventId == uuidV5(kMailRequestNamespace, event.eventId));
  CHECK(f.dedup.processed(event.eventId));
}
