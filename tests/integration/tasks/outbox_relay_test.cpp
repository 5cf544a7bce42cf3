#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include "amqp/declare.hpp"
#include "amqp/rabbit_publisher.hpp"
#include "support/rabbit_vhost.hpp"
#include "tasks/outbox_relay.hpp"
#include "tasks/pg_outbox_store.hpp"
#include "tasks_fixture.hpp"

using namespace workstream;
using namespace std::chrono_literals;
using testing::eventually;

namespace {

// One relay: its own outbox session and its own publisher.
struct Relay {
  Relay(const std::string& pgUrl, const amqp::ConnectionOptions& broker, Metrics& metrics,
        tasks::RelayOptions options = {})
      : store(pgUrl, 5s, testing::quietLogger()),
        publisher(broker, 5s),
        relay(store, publisher, options, testing::quietLogger(), metrics) {}
  tasks::PgOutboxStore store;
  amqp::RabbitPublisher publisher;
  tasks::OutboxRelay relay;
};

struct RelayFixture : testing::TasksFixture {
  testing::RabbitVhost vhost;
  Metrics metrics;
  RelayFixture() {
    amqp::Connection c(vhost.options());
    amqp::declareTopology(c, 1);
  }
  int queued() { return vhost.depth("workstream.notifications"); }
};

}  // namespace

TEST_CASE("relay: publishes every outbox event once, in order, with its properties") {
  RelayFixture f;
  Relay relay(f.db.url(), f.vhost.options(), f.metrics);
  relay.relay.start();
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(f.create("task " + std::to_string(i)).id);
  REQUIRE(f.service.complete(ids[0], f.context).ok());
  REQUIRE(eventually([&] { return f.queued() == 6; }));
  REQUIRE(eventually(
      [&] { return f.db.count("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0; }));
  CHECK(relay.relay.leading());

  auto expected = f.db.sql("SELECT event_id, event_type FROM outbox ORDER BY position");
  for (int i = 0; i < 6; ++i) {
    auto message = f.vhost.get("workstream.notifications");
    REQUIRE(message);
    CHECK(message->messageId == expected.text(i, 0));
    CHECK(message->type == expected.text(i, 1));
    CHECK(message->appId == "workstream-tasks");
    CHECK(message->timestamp > 0);
    CHECK(message->headers.at("traceparent").substr(3, 32) == f.context.traceId);
    const auto envelope = boost::json::parse(message->body).as_object();
    CHECK(envelope.at("event_id") == message->messageId.c_str());
  }
  CHECK(f.queued() == 0);
  relay.relay.stop();
}

TEST_CASE("relay: wakes on NOTIFY, not on its poll") {
  RelayFixture f;
  tasks::RelayOptions options;
  options.pollInterval = 30s;  // a poll would come far too late
  Relay relay(f.db.url(), f.vhost.options(), f.metrics, options);
  relay.relay.start();
  REQUIRE(eventually([&] { return relay.relay.leading(); }));
  std::this_thread::sleep_for(200ms);  // the relay is waiting now
  const auto began = std::chrono::steady_clock::now();
  f.create("wake up");
  REQUIRE(eventually([&] { return f.queued() == 1; }, 5));
  CHECK(std::chrono::steady_clock::now() - began < 2s);
  relay.relay.stop();
}

TEST_CASE("relay: of two relays one publishes; when it stops the other takes over") {
  RelayFixture f;
  Relay first(f.db.url(), f.vhost.options("first"), f.metrics);
  Relay second(f.db.url(), f.vhost.options("second"), f.metrics);
  first.relay.start();
  REQUIRE(eventually([&] { return first.relay.leading(); }));
  second.relay.start();
  for (int i = 0; i < 10; ++i) f.create("t" + std::to_string(i));
  REQUIRE(eventually([&] { return f.queued() == 10; }));
  CHECK_FALSE(second.relay.leading());

  first.relay.stop();  // its session ends, and with it the lock
  for (int i = 0; i < 5; ++i) f.create("later" + std::to_string(i));
  REQUIRE(eventually([&] { return f.queued() == 15; }));
  CHECK(second.relay.leading());
  second.relay.stop();
  CHECK(f.queued() == 15);  // nothing twice
}

TEST_CASE("relay: while the broker is unreachable events wait, and readiness says so") {
  RelayFixture f;
  amqp::ConnectionOptions nowhere{"amqp://guest:guest@127.0.0.1:1/%2f", 500ms, 0, "nowhere"};
  tasks::RelayOptions options;
  options.maxPendingAge = 300ms;
  Relay relay(f.db.url(), nowhere, f.metrics, options);
  relay.relay.start();
  f.create("waiting");
  REQUIRE(eventually([&] {
    return !relay.relay.check().ok && relay.relay.check().error.find("old") != std::string::npos;
  }));
  CHECK(f.db.count("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 1);
  relay.relay.stop();

  Relay healthy(f.db.url(), f.vhost.options(), f.metrics, options);
  healthy.relay.start();
  REQUIRE(eventually([&] { return f.queued() == 1; }));
  REQUIRE(eventually([&] { return healthy.relay.check().ok; }));
  healthy.relay.stop();
}

TEST_CASE("relay: published rows are pruned after the retention period, pending ones never") {
  RelayFixture f;
  tasks::PgOutboxStore store(f.db.url(), 5s, testing::quietLogger());
  for (const char* title : {"a", "b", "c"}) f.create(title);
  f.db.sql(
      "UPDATE outbox SET published_at = now() - interval '2 days'"
      " WHERE position = (SELECT min(position) FROM outbox)");
  f.db.sql(
      "UPDATE outbox SET published_at = now() WHERE position = (SELECT max(position) FROM outbox)");
  CHECK(store.prune(24h) == 1);
  CHECK(f.db.count("SELECT count(*) FROM outbox") == 2);
  CHECK(f.db.count("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 1);
}
