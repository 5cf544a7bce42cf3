#include <poll.h>
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include "postgres/pg_connection.hpp"

#include "postgres/pg_outbox_store.hpp"
#include "rabbitmq/declare.hpp"
#include "rabbitmq/rabbit_publisher.hpp"
#include "support/rabbit_vhost.hpp"
#include "tasks/outbox_relay.hpp"
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

namespace {

// A session LISTENing on the relay's channel, counting what it hears.
class Listener {
 public:
  explicit Listener(const std::string& url) : conn_(pg::connect(url, 5s, 2s)) {
    const auto channel = pg::exec(conn_, "SELECT 'wso_' || md5(current_schema())");
    pg::exec(conn_, ("LISTEN \"" + std::string(channel.text(0, 0)) + "\"").c_str());
  }
  ~Listener() { PQfinish(conn_); }
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // The notifications that arrive within `window`.
  int heard(std::chrono::milliseconds window) {
    int count = 0;
    const auto until = std::chrono::steady_clock::now() + window;
    while (true) {
      PQconsumeInput(conn_);
      while (PGnotify* n = PQnotifies(conn_)) {
        PQfreemem(n);
        ++count;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          until - std::chrono::steady_clock::now());
      if (left <= 0ms) return count;
      pollfd readable{PQsocket(conn_), POLLIN, 0};
      poll(&readable, 1, static_cast<int>(left.count()));
    }
  }

 private:
  PGconn* conn_;
};

// The tasks service as its role runs it: sessions that do not NOTIFY, and
// a store that tells `relay` of each commit instead.
struct WakingService {
  WakingService(const std::string& url, tasks::OutboxRelay& relay)
      : pool(options(url), testing::quietLogger()),
        store(pool, [&relay] { relay.eventsWritten(); }),
        service(store, systemNow) {}
  static pg::PoolOptions options(const std::string& url) {
    auto o = testing::taskPoolOptions(url, 2);
    o.settings = tasks::PgTaskStore::wakesRelaySettings();
    return o;
  }
  void create(const std::string& title) {
    REQUIRE(service.create({title, std::nullopt, std::nullopt, std::nullopt}, context).ok());
  }
  pg::Pool pool;
  tasks::PgTaskStore store;
  tasks::TaskService service;
  tasks::CallContext context{"req-2", "4bf92f3577b34da6a3ce929d0e0e4736"};
};

}  // namespace

TEST_CASE("relay: the tasks service's own commits do not NOTIFY, and its store wakes the relay") {
  RelayFixture f;
  tasks::RelayOptions options;
  options.pollInterval = 30s;  // a poll would come far too late
  Relay relay(f.db.url(), f.vhost.options(), f.metrics, options);
  WakingService tasks(f.db.url(), relay.relay);
  Listener listener(f.db.url());
  relay.relay.start();
  REQUIRE(eventually([&] { return relay.relay.leading(); }));
  std::this_thread::sleep_for(200ms);  // the relay is waiting now
  const auto began = std::chrono::steady_clock::now();
  tasks.create("no notify");
  REQUIRE(eventually([&] { return f.queued() == 1; }, 5));
  CHECK(std::chrono::steady_clock::now() - began < 2s);
  CHECK(listener.heard(300ms) == 0);
  // Any other writer still notifies: an earlier version, an operator.
  f.create("notifies");
  CHECK(listener.heard(2s) == 1);
  REQUIRE(eventually([&] { return f.queued() == 2; }, 5));
  relay.relay.stop();
}

TEST_CASE("relay: standing by, it passes its process's events on to the leader") {
  RelayFixture f;
  tasks::RelayOptions options;
  options.pollInterval = 30s;
  Relay leader(f.db.url(), f.vhost.options("leader"), f.metrics, options);
  Relay standby(f.db.url(), f.vhost.options("standby"), f.metrics, options);
  leader.relay.start();
  REQUIRE(eventually([&] { return leader.relay.leading(); }));
  standby.relay.start();
  WakingService tasks(f.db.url(), standby.relay);
  std::this_thread::sleep_for(200ms);  // both are waiting now
  CHECK_FALSE(standby.relay.leading());
  const auto began = std::chrono::steady_clock::now();
  for (int i = 0; i < 3; ++i) tasks.create("by the standby's process " + std::to_string(i));
  REQUIRE(eventually([&] { return f.queued() == 3; }, 5));
  CHECK(std::chrono::steady_clock::now() - began < 2s);
  standby.relay.stop();
  leader.relay.stop();
}

TEST_CASE("relay: of two relays one publishes, when it stops the other takes over") {
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
  CHECK(store.prune(24h, 100) == 1);
  CHECK(f.db.count("SELECT count(*) FROM outbox") == 2);
  CHECK(f.db.count("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 1);
}

namespace {

// Old published rows, with an unpublished one every 250th (a relay stuck
// on it would leave it so), then a few published just now.
void fillOutbox(testing::PgSchema& db, int old) {
  db.sql(
      "INSERT INTO outbox (event_id, event_type, routing_key, aggregate_id, envelope,"
      " created_at, published_at)"
      " SELECT gen_random_uuid(), 'workstream.task.created.v1', 'workstream.task.created',"
      " gen_random_uuid(), '{}', now() - interval '3 days',"
      " CASE WHEN i % 250 = 0 THEN NULL ELSE now() - interval '2 days' END"
      " FROM generate_series(1, " +
      std::to_string(old) +
      ") AS i;"
      " INSERT INTO outbox (event_id, event_type, routing_key, aggregate_id, envelope,"
      " published_at)"
      " SELECT gen_random_uuid(), 'workstream.task.created.v1', 'workstream.task.created',"
      " gen_random_uuid(), '{}', now()"
      " FROM generate_series(1, 5)");
}

// Counts the statements of one kind on the outbox, with a statement trigger.
void countStatements(testing::PgSchema& db, const std::string& kind) {
  db.sql(
      "CREATE TABLE statements (n int NOT NULL); INSERT INTO statements VALUES (0);"
      " CREATE FUNCTION count_statement() RETURNS trigger LANGUAGE plpgsql AS $$"
      " BEGIN UPDATE statements SET n = n + 1; RETURN NULL; END $$;"
      " CREATE TRIGGER count_statement AFTER " +
      kind + " ON outbox FOR EACH STATEMENT EXECUTE FUNCTION count_statement()");
}

const char* kPrunable = "SELECT count(*) FROM outbox WHERE published_at < now() - interval '1 day'";

}  // namespace

TEST_CASE("outbox store: pruning deletes bounded batches, oldest first, never an unpublished row") {
  testing::PgSchema db;
  fillOutbox(db, 2500);  // 2490 prunable, 10 unpublished
  countStatements(db, "DELETE");
  tasks::PgOutboxStore store(db.url(), 5s, testing::quietLogger());
  const auto thousandth = std::string(
      db.sql(std::string("SELECT position FROM outbox WHERE published_at < now() - interval"
                         " '1 day' ORDER BY position OFFSET 999 LIMIT 1"))
          .text(0, 0));
  CHECK(store.prune(24h, 1000) == 1000);
  CHECK(db.count(std::string(kPrunable) + " AND position <= " + thousandth) == 0);
  CHECK(store.prune(24h, 1000) == 1000);
  CHECK(store.prune(24h, 1000) == 490);
  CHECK(store.prune(24h, 1000) == 0);
  CHECK(db.count("SELECT n FROM statements") == 4);
  CHECK(db.count("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 10);
  CHECK(db.count("SELECT count(*) FROM outbox") == 15);
}

TEST_CASE("relay: prunes a backlog larger than its batch, publishing in between") {
  RelayFixture f;
  fillOutbox(f.db, 1000);  // 996 prunable, 4 unpublished
  countStatements(f.db, "DELETE");
  tasks::RelayOptions options;
  options.pruneBatch = 100;
  options.pollInterval = 3s;  // a wait between batches would take 30 s for ten
  Relay relay(f.db.url(), f.vhost.options(), f.metrics, options);
  relay.relay.start();
  REQUIRE(eventually([&] { return f.db.count(kPrunable) == 0; }));
  CHECK(f.db.count("SELECT n FROM statements") >= 10);
  f.create("after pruning");
  REQUIRE(eventually([&] { return f.queued() == 5; }));  // the 4 stuck ones and the new one
  relay.relay.stop();
  CHECK(f.db.count("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0);
}

TEST_CASE("outbox store: marks exactly the given rows published, in one statement") {
  RelayFixture f;
  for (int i = 0; i < 5; ++i) f.create("task " + std::to_string(i));
  countStatements(f.db, "UPDATE");
  tasks::PgOutboxStore store(f.db.url(), 5s, testing::quietLogger());
  const auto pending = store.pending(10);
  REQUIRE(pending.size() == 5);
  CHECK(pending[0].traceId == f.context.traceId);
  CHECK(pending[0].producer == "workstream-tasks");
  const Timestamp sentAt(std::chrono::microseconds(1'700'000'000'123'456));
  store.markPublished({pending[0].position, pending[2].position, pending[3].position}, sentAt);
  CHECK(f.db.count("SELECT n FROM statements") == 1);
  CHECK(f.db.count("SELECT count(*) FROM outbox WHERE published_at ="
                   " timestamptz '2023-11-14 22:13:20.123456+00'") == 3);
  const auto left = store.pending(10);
  REQUIRE(left.size() == 2);
  CHECK(left[0].position == pending[1].position);
  CHECK(left[1].position == pending[4].position);
}

TEST_CASE("outbox store: rows written before trace_id and producer had columns still relay them") {
  RelayFixture f;
  f.create("old row");
  f.db.sql("UPDATE outbox SET trace_id = NULL, producer = NULL");
  tasks::PgOutboxStore store(f.db.url(), 5s, testing::quietLogger());
  const auto pending = store.pending(10);
  REQUIRE(pending.size() == 1);
  CHECK(pending[0].traceId == f.context.traceId);
  CHECK(pending[0].producer == "workstream-tasks");
}
