#include <hiredis/hiredis.h>
#include <mongoc/mongoc.h>

#include <catch2/catch.hpp>

#include <set>

#include "events/failure_routing.hpp"
#include "mongo/mongo_record_store.hpp"
#include "notifications/event_mail_requests.hpp"
#include "notifications/processor.hpp"
#include "rabbitmq/declare.hpp"
#include "rabbitmq/rabbit_publisher.hpp"
#include "redis/redis_dedup_store.hpp"
#include "support/pg_schema.hpp"
#include "support/rabbit_vhost.hpp"
#include "support/server_env.hpp"
#include "workstream/core/errors.hpp"
#include "workstream/core/uuid.hpp"

using namespace workstream;
using namespace workstream::notifications;
using namespace std::chrono_literals;

namespace {

// A MongoDB database of the test's own, dropped afterwards.
struct MongoDatabase {
  std::string name = "test_" + newUuid().substr(0, 8);
  std::string url;
  MongoDatabase() {
    const auto base = testing::serverEnv("WORKSTREAM_MONGO_URL");
    url = base.substr(0, base.rfind('/') + 1) + name;
  }
  ~MongoDatabase() {
    mongoc_client_t* client = mongoc_client_new(url.c_str());
    mongoc_database_t* db = mongoc_client_get_database(client, name.c_str());
    mongoc_database_drop(db, nullptr);
    mongoc_database_destroy(db);
    mongoc_client_destroy(client);
  }
};

// Adapters that fail once, before or after doing the real thing: a crash
// between two steps, seen from the next delivery.
enum class When { before, after };

struct FlakyRecords final : RecordStore {
  RecordStore& real;
  std::optional<When> fail;
  explicit FlakyRecords(RecordStore& r) : real(r) {}
  bool insert(const NotificationRecord& record) override {
    if (fail == When::before) {
      fail.reset();
      throw Unavailable("injected: before insert");
    }
    const bool fresh = real.insert(record);
    if (fail == When::after) {
      fail.reset();
      throw Unavailable("injected: after insert");
    }
    return fresh;
  }
  std::optional<NotificationRecord> find(const std::string& id) override { return real.find(id); }
  std::vector<NotificationRecord> list(const RecordQuery& q) override { return real.list(q); }
};

struct FlakyMail final : MailRequests {
  MailRequests& real;
  std::optional<When> fail;
  explicit FlakyMail(MailRequests& r) : real(r) {}
  void send(const MailRequest& request) override {
    if (fail == When::before) {
      fail.reset();
      throw Unavailable("injected: before mail");
    }
    real.send(request);
    if (fail == When::after) {
      fail.reset();
      throw Unavailable("injected: after mail");
    }
  }
};

struct FlakyDedup final : DedupStore {
  DedupStore& real;
  std::optional<When> fail;
  explicit FlakyDedup(DedupStore& r) : real(r) {}
  bool processed(const std::string& id) override { return real.processed(id); }
  bool claim(const std::string& id, std::chrono::seconds ttl) override {
    return real.claim(id, ttl);
  }
  void release(const std::string& id) override { real.release(id); }
  void markProcessed(const std::string& id) override {
    if (fail == When::before) {
      fail.reset();
      throw Unavailable("injected: before remembering");
    }
    real.markProcessed(id);
    if (fail == When::after) {
      fail.reset();
      throw Unavailable("injected: after remembering");
    }
  }
};

struct Fixture {
  MongoDatabase mongo;
  testing::RabbitVhost vhost;
  redis::RedisDedupStore realDedup{testing::serverEnv("WORKSTREAM_REDIS_URL"),
                                   redis::RedisDedupStore::kProcessed, 24h, 2s};
  mongo::MongoRecordStore realRecords{mongo.url, 2s};
  amqp::RabbitPublisher publisher{vhost.options(), 5s};
  EventMailRequests realMail{publisher};
  FlakyDedup dedup{realDedup};
  FlakyRecords records{realRecords};
  FlakyMail mail{realMail};
  NotificationProcessor processor{dedup, records, mail, systemNow, testing::quietLogger()};

  Fixture() {
    amqp::Connection c(vhost.options());
    amqp::declareTopology(c, 1);
    realRecords.ensureIndexes();
  }

  events::Envelope event(const std::string& taskId) {
    return {newUuid(),
            "workstream.task.created.v1",
            "2026-11-22T10:00:00.000000Z",
            "workstream-tasks",
            "0af7651916cd43dd8448eb211c80319c",
            R"({"task_id":")" + taskId + R"(","title":"t","assignee_email":"a@example.com"})"};
  }

  std::set<std::string> mailRequestIds() {
    std::set<std::string> ids;
    while (auto m = vhost.get("workstream.mailer")) ids.insert(m->messageId);
    return ids;
  }
};

events::Delivery attempt(int n) {
  events::Delivery d;
  d.attempt = n;
  return d;
}

// As the consumer runtime calls the processor: an exception becomes a retry.
events::Outcome::Kind handled(Fixture& f, const events::Envelope& event, int n) {
  return events::outcomeOf([&] { return f.processor.process(event, attempt(n)); }).kind;
}

}  // namespace

TEST_CASE("notifications: a crash between any two steps loses nothing and doubles nothing") {
  struct Fault {
    const char* name;
    std::function<void(Fixture&)> inject;
  };
  const std::vector<Fault> faults{
      {"before the record", [](Fixture& f) { f.records.fail = When::before; }},
      {"after the record, before the mail", [](Fixture& f) { f.records.fail = When::after; }},
      {"before the mail request", [](Fixture& f) { f.mail.fail = When::before; }},
      {"after the mail request, before Redis", [](Fixture& f) { f.mail.fail = When::after; }},
      {"before Redis remembers", [](Fixture& f) { f.dedup.fail = When::before; }},
      {"after Redis remembers, before the ack", [](Fixture& f) { f.dedup.fail = When::after; }},
  };
  for (const auto& fault : faults) {
    DYNAMIC_SECTION(fault.name) {
      Fixture f;
      const auto taskId = newUuid();
      const auto event = f.event(taskId);
      fault.inject(f);
      CHECK(handled(f, event, 1) == events::Outcome::Kind::retry);
      // Redelivery, and one more duplicate for good measure.
      CHECK(handled(f, event, 2) == events::Outcome::Kind::done);
      CHECK(handled(f, event, 1) == events::Outcome::Kind::done);
      CHECK(f.realRecords.list({std::nullopt, taskId, std::nullopt, 10, std::nullopt}).size() == 1);
      CHECK(f.mailRequestIds() ==
            std::set<std::string>{uuidV5(kMailRequestNamespace, event.eventId)});
      CHECK(f.realDedup.processed(event.eventId));
    }
  }
}

TEST_CASE("notifications: a task without an assignee is recorded and asks for no mail") {
  Fixture f;
  auto event = f.event(newUuid());
  event.payloadJson = R"({"task_id":")" + newUuid() + R"(","title":"quiet"})";
  CHECK(f.processor.process(event, attempt(1)).kind == events::Outcome::Kind::done);
  CHECK(f.realRecords.find(event.eventId).has_value());
  CHECK(f.mailRequestIds().empty());
}

TEST_CASE("notifications: mail requests are derived deterministically and say what happened") {
  Fixture f;
  auto created = f.event(newUuid());
  auto request = NotificationProcessor::mailFor(created);
  REQUIRE(request);
  CHECK(request->eventId == uuidV5(kMailRequestNamespace, created.eventId));
  CHECK(NotificationProcessor::mailFor(created)->eventId == request->eventId);
  CHECK(request->to == std::vector<std::string>{"a@example.com"});
  CHECK(request->subject == "Task assigned: t");
  CHECK(request->traceId == created.traceId);
  created.eventType = "workstream.task.completed.v1";
  CHECK(NotificationProcessor::mailFor(created)->subject == "Task completed: t");
}

TEST_CASE("redis dedup store: remembers for 24 hours under the seed's key") {
  redis::RedisDedupStore store(testing::serverEnv("WORKSTREAM_REDIS_URL"),
                               redis::RedisDedupStore::kProcessed, 24h, 2s);
  const auto id = newUuid();
  CHECK_FALSE(store.processed(id));
  store.markProcessed(id);
  CHECK(store.processed(id));
  CHECK(store.check().ok);
  // A claim holds off others until it is released or processed.
  const auto other = newUuid();
  CHECK(store.claim(other, 5s));
  CHECK_FALSE(store.claim(other, 5s));
  CHECK_FALSE(store.processed(other));
  store.release(other);
  CHECK(store.claim(other, 5s));
  store.markProcessed(other);
  store.release(other);  // a processed mark stays
  CHECK(store.processed(other));
  CHECK_FALSE(store.claim(other, 5s));
  // The key and its TTL, read with a client of its own.
  const auto url = testing::serverEnv("WORKSTREAM_REDIS_URL");
  const auto hostPort = url.substr(8, url.rfind('/') - 8);
  redisContext* ctx = redisConnect(hostPort.substr(0, hostPort.find(':')).c_str(),
                                   std::stoi(hostPort.substr(hostPort.find(':') + 1)));
  REQUIRE(ctx != nullptr);
  auto* reply =
      static_cast<redisReply*>(redisCommand(ctx, "TTL workstream:processed:%s", id.c_str()));
  REQUIRE(reply != nullptr);
  CHECK(reply->integer > 24 * 3600 - 60);
  CHECK(reply->integer <= 24 * 3600);
  freeReplyObject(reply);
  redisFree(ctx);

  redis::RedisDedupStore dead("redis://127.0.0.1:1/0", redis::RedisDedupStore::kProcessed, 24h,
                              500ms);
  CHECK_THROWS_AS(dead.processed(id), Unavailable);
  CHECK_FALSE(dead.check().ok);
}

TEST_CASE("mongo record store: append-only, unique by event id, newest first") {
  MongoDatabase db;
  mongo::MongoRecordStore store(db.url, 2s);
  store.ensureIndexes();
  store.ensureIndexes();  // idempotent
  const auto taskId = newUuid();
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    NotificationRecord r{newUuid(),
                         "workstream.task.created.v1",
                         "2026-11-22T10:00:00Z",
                         "workstream-tasks",
                         "trace",
                         taskId,
                         R"({"n":)" + std::to_string(i) + "}",
                         Timestamp(std::chrono::milliseconds(1'700'000'000'000 + i)),
                         Timestamp(std::chrono::milliseconds(1'700'000'000'000 + i)),
                         1};
    CHECK(store.insert(r));
    CHECK_FALSE(store.insert(r));  // a duplicate changes nothing
    ids.push_back(r.eventId);
  }
  auto newest = store.list({std::nullopt, taskId, std::nullopt, 2, std::nullopt});
  REQUIRE(newest.size() == 2);
  CHECK(newest[0].eventId == ids[4]);
  CHECK(newest[1].eventId == ids[3]);
  auto next = store.list({std::nullopt, taskId, std::nullopt, 10,
                          std::make_pair(newest[1].receivedAt, newest[1].eventId)});
  CHECK(next.size() == 3);
  CHECK(next.front().eventId == ids[2]);
  auto found = store.find(ids[0]);
  REQUIRE(found);
  CHECK(found->payloadJson == R"({ "n" : 0 })");
  CHECK(found->taskId == taskId);
  CHECK_FALSE(store.find(newUuid()));
}
