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
  int batches = 0;  // insertAll calls
  bool insert(const NotificationRecord& record) override {
    if (down) throw Unavailable("MongoDB: no server available");
    return real.insert(record);
  }
  std::vector<bool> insertAll(const std::vector<NotificationRecord>& records) override {
    ++batches;
    return RecordStore::insertAll(records);
  }
  std::optional<NotificationRecord> find(const std::string& id) override { return real.find(id); }
  std::vector<NotificationRecord> list(const RecordQuery& q) override { return real.list(q); }
};

struct RecordingMailRequests final : MailRequests {
  std::vector<MailRequest> sent;
  bool down = false;
  int batches = 0;  // sendAll calls
  void send(const MailRequest& request) override {
    if (down) throw Unavailable("RabbitMQ: connection refused");
    sent.push_back(request);
  }
  void sendAll(const std::vector<MailRequest>& requests) override {
    ++batches;
    MailRequests::sendAll(requests);
  }
};

struct CountingDedup final : events::DedupStore {
  fakes::MemoryDedupStore real;
  int lookups = 0, marks = 0;  // processedAll and markProcessedAll calls
  bool processed(const std::string& id) override { return real.processed(id); }
  void markProcessed(const std::string& id) override { real.markProcessed(id); }
  bool claim(const std::string& id, std::chrono::seconds ttl) override {
    return real.claim(id, ttl);
  }
  void release(const std::string& id) override { real.release(id); }
  std::vector<bool> processedAll(const std::vector<std::string>& ids) override {
    ++lookups;
    return real.processedAll(ids);
  }
  void markProcessedAll(const std::vector<std::string>& ids) override {
    ++marks;
    real.markProcessedAll(ids);
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
  CountingDedup dedup;
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

TEST_CASE("notifications processor: a batch takes each step once for all its events") {
  Fixture f;
  const auto before = taskEvent(events::kTaskCreated, "ada@example.com");
  f.process(before);
  const auto sentBefore = f.mail.sent.size();
  const auto assigned = taskEvent(events::kTaskCreated, "bob@example.com");
  const auto unassigned = taskEvent(events::kTaskCompleted, nullptr);
  events::Delivery first, second;
  second.attempt = 3;
  f.records.batches = f.mail.batches = f.dedup.lookups = f.dedup.marks = 0;
  // The same event twice in one batch (a duplicate publish) is one record, one mail.
  const auto outcomes = f.processor.processAll(
      {{before, &first}, {assigned, &first}, {unassigned, &second}, {assigned, &second}});
  REQUIRE(outcomes.size() == 4);
  for (const auto& outcome : outcomes) CHECK(outcome.kind == events::Outcome::Kind::done);
  CHECK(f.dedup.lookups == 1);
  CHECK(f.records.batches == 1);
  CHECK(f.mail.batches == 1);
  CHECK(f.dedup.marks == 1);
  CHECK(f.recordsOf(before) == 1);
  CHECK(f.recordsOf(assigned) == 1);
  CHECK(f.recordsOf(unassigned) == 1);
  CHECK(f.records.find(unassigned.eventId)->attempt == 3);
  REQUIRE(f.mail.sent.size() == sentBefore + 1);
  CHECK(f.mail.sent.back().to == std::vector<std::string>{"bob@example.com"});
  CHECK(f.mail.sent.back().eventId == uuidV5(kMailRequestNamespace, assigned.eventId));
  CHECK(f.dedup.processed(assigned.eventId));
  CHECK(f.dedup.processed(unassigned.eventId));
}

TEST_CASE("notifications processor: a batch with MongoDB down marks none of its events") {
  Fixture f;
  const auto one = taskEvent(events::kTaskCreated, "ada@example.com");
  const auto two = taskEvent(events::kTaskCreated, nullptr);
  events::Delivery delivery;
  f.records.down = true;
  CHECK_THROWS_AS(f.processor.processAll({{one, &delivery}, {two, &delivery}}), Unavailable);
  CHECK(f.mail.sent.empty());
  CHECK_FALSE(f.dedup.processed(one.eventId));
  CHECK_FALSE(f.dedup.processed(two.eventId));
  f.records.down = false;
  const auto outcomes = f.processor.processAll({{one, &delivery}, {two, &delivery}});
  CHECK(outcomes.size() == 2);
  CHECK(f.recordsOf(one) == 1);
  CHECK(f.recordsOf(two) == 1);
  CHECK(f.mail.sent.size() == 1);
}
