// The outbox relay's logic over an in-memory outbox and publisher: order,
// properties, what is marked, and recovery from a refusal or an outage.
// The same relay over Postgres and RabbitMQ: tests/integration/tasks.
#include "tasks/outbox_relay.hpp"

#include <catch2/catch.hpp>
#include <thread>

#include "fakes/memory_outbox.hpp"
#include "fakes/quiet_logger.hpp"
#include "workstream/core/uuid.hpp"
#include "workstream/events/topology.hpp"

using namespace workstream;
using namespace std::chrono_literals;

namespace {

tasks::PendingEvent event(const std::string& routingKey) {
  tasks::PendingEvent e;
  e.eventId = newUuid();
  e.eventType = routingKey + ".v1";
  e.routingKey = routingKey;
  e.envelopeJson = R"({"event_id":")" + e.eventId + "\"}";
  e.traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
  e.producer = "workstream-tasks";
  e.createdAtSeconds = 1'700'000'000;
  return e;
}

// Polls until `done` holds or 10 s pass; says whether it held.
template <class Done>
bool eventually(Done done) {
  for (int i = 0; i < 1000; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return done();
}

struct Fixture {
  explicit Fixture(std::chrono::milliseconds pollInterval = 1s)
      : relay{outbox, publisher, options(pollInterval), fakes::quietLogger("relay"), metrics} {}
  ~Fixture() { relay.stop(); }

  static tasks::RelayOptions options(std::chrono::milliseconds pollInterval) {
    tasks::RelayOptions o;
    o.batchSize = 3;
    o.pollInterval = pollInterval;
    return o;
  }

  fakes::MemoryOutbox outbox;
  fakes::RecordingPublisher publisher;
  Metrics metrics;
  tasks::OutboxRelay relay;
};

using SteadyClock = std::chrono::steady_clock;

}  // namespace

TEST_CASE("relay (in memory): publishes each event once, in order, with its properties") {
  Fixture f;
  for (int i = 0; i < 7; ++i) f.outbox.add(event("workstream.task.created"));
  f.relay.start();
  REQUIRE(eventually([&] { return f.outbox.published().size() == 7; }));
  f.outbox.add(event("workstream.task.completed"));  // after the relay went idle
  REQUIRE(eventually([&] { return f.outbox.published().size() == 8; }));
  const auto sent = f.publisher.confirmed();
  REQUIRE(sent.size() == 8);
  const auto pending = std::vector<std::int64_t>{1, 2, 3, 4, 5, 6, 7, 8};
  CHECK(f.outbox.published() == pending);
  CHECK(sent[7].routingKey == "workstream.task.completed");
  CHECK(sent[0].exchange == events::kExchange);
  CHECK(sent[0].type == "workstream.task.created.v1");
  CHECK(sent[0].appId == "workstream-tasks");
  CHECK(sent[0].timestamp == 1'700'000'000);
  REQUIRE(sent[0].headers.size() == 1);
  CHECK(sent[0].headers[0].first == "traceparent");
  CHECK(std::get<std::string>(sent[0].headers[0].second)
            .starts_with("00-4bf92f3577b34da6a3ce929d0e0e4736-"));
}

TEST_CASE("relay (in memory): a refused event stops its batch there, and order holds") {
  Fixture f;
  f.publisher.refuse("workstream.task.completed", true);
  f.outbox.add(event("workstream.task.created"));
  f.outbox.add(event("workstream.task.completed"));
  f.outbox.add(event("workstream.task.created"));
  f.relay.start();
  REQUIRE(eventually([&] { return f.outbox.published().size() == 1; }));
  std::this_thread::sleep_for(300ms);  // retries meanwhile publish nothing past the refusal
  CHECK(f.outbox.published() == std::vector<std::int64_t>{1});
  f.publisher.refuse("workstream.task.completed", false);
  REQUIRE(eventually([&] { return f.outbox.published().size() == 3; }));
  // The broker took the event after the refused one in the same batch; it
  // was not marked, so it goes again after the refused one: at least once,
  // and its last copy after its predecessor.
  std::vector<std::string> keys;
  for (const auto& m : f.publisher.confirmed()) keys.push_back(m.routingKey);
  REQUIRE(keys.size() >= 3);
  CHECK(keys.back() == "workstream.task.created");
  CHECK(std::count(keys.begin(), keys.end(), "workstream.task.completed") == 1);
}

TEST_CASE("relay (in memory): while the broker is down nothing is marked, then all goes once") {
  Fixture f;
  f.publisher.setDown(true);
  for (int i = 0; i < 4; ++i) f.outbox.add(event("workstream.task.created"));
  f.relay.start();
  std::this_thread::sleep_for(300ms);
  CHECK(f.outbox.published().empty());
  f.publisher.setDown(false);
  REQUIRE(eventually([&] { return f.outbox.published().size() == 4; }));
  CHECK(f.publisher.confirmed().size() == 4);
}

TEST_CASE("relay (in memory): a relay that does not lead publishes nothing") {
  Fixture f;
  f.outbox.leader = false;
  f.outbox.add(event("workstream.task.created"));
  f.relay.start();
  std::this_thread::sleep_for(300ms);
  CHECK(f.publisher.confirmed().empty());
  CHECK_FALSE(f.relay.leading());
}

// The tasks service's own sessions do not NOTIFY (PgTaskStore::wakesRelaySettings);
// its store calls eventsWritten() instead.
TEST_CASE(
    "relay (in memory): leading, it publishes at once the events this process wrote, which did not "
    "notify") {
  Fixture f(30s);  // a poll would come far too late
  f.relay.start();
  REQUIRE(eventually([&] { return f.relay.leading(); }));
  std::this_thread::sleep_for(100ms);  // waiting now
  f.outbox.add(event("workstream.task.created"), /*notify=*/false);
  std::this_thread::sleep_for(300ms);
  CHECK(f.outbox.published().empty());  // nothing woke it
  const auto began = SteadyClock::now();
  f.relay.eventsWritten();
  REQUIRE(eventually([&] { return f.outbox.published().size() == 1; }));
  CHECK(SteadyClock::now() - began < 5s);
  const auto stopping = SteadyClock::now();
  f.relay.stop();  // ends the wait under way, not at the poll
  CHECK(SteadyClock::now() - stopping < 5s);
}

TEST_CASE(
    "relay (in memory): standing by, it passes on to the leader at once the events this process "
    "wrote") {
  Fixture f(30s);
  f.outbox.leader = false;
  f.relay.start();
  std::this_thread::sleep_for(100ms);  // standing by
  CHECK(f.outbox.leaderNotified() == 0);
  const auto began = SteadyClock::now();
  f.relay.eventsWritten();
  REQUIRE(eventually([&] { return f.outbox.leaderNotified() == 1; }));
  CHECK(SteadyClock::now() - began < 5s);
  std::this_thread::sleep_for(100ms);
  CHECK(f.outbox.leaderNotified() == 1);  // once per wake-up, not again
  CHECK(f.publisher.confirmed().empty());
}

TEST_CASE(
    "relay (in memory): a relay that steps down passes on nothing it published itself while it "
    "led") {
  Fixture f(100ms);
  f.relay.start();
  REQUIRE(eventually([&] { return f.relay.leading(); }));
  f.outbox.add(event("workstream.task.created"), /*notify=*/false);
  f.relay.eventsWritten();
  REQUIRE(eventually([&] { return f.outbox.published().size() == 1; }));
  f.outbox.leader = false;
  REQUIRE(eventually([&] { return !f.relay.leading(); }));
  std::this_thread::sleep_for(300ms);  // three polls standing by
  CHECK(f.outbox.leaderNotified() == 0);
  f.relay.eventsWritten();  // what it writes from now on still goes to the leader
  CHECK(eventually([&] { return f.outbox.leaderNotified() == 1; }));
}
