#include <amqp.h>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>
#include <set>
#include <sstream>

#include "rabbitmq/consumer_fixture.hpp"
#include "support/pg_schema.hpp"
#include "support/rabbit_vhost.hpp"

using namespace workstream;
using namespace std::chrono_literals;
using testing::Broker;
using testing::eventually;
using testing::RabbitVhost;
using testing::Scripted;

TEST_CASE("consumer: done messages are acked once and leave the queue") {
  Broker broker;
  Scripted handler([](const auto&) { return events::Outcome::ok(); });
  amqp::RabbitConsumer consumer(broker.options(), handler, testing::quietLogger(), broker.metrics);
  consumer.start();
  broker.publishTaskEvents(20);
  REQUIRE(eventually([&] { return handler.count() == 20; }));
  consumer.stop(std::chrono::steady_clock::now() + 2s);
  CHECK(broker.vhost.depth("workstream.notifications") == 0);
  CHECK(handler.count() == 20);  // nothing twice
}

TEST_CASE(
    "consumer: its publisher of retries and dead letters connects when it subscribes, before "
    "any delivery fails") {
  Broker broker;
  Scripted handler([](const auto&) { return events::Outcome::ok(); });
  amqp::RabbitConsumer consumer(broker.options(), handler, testing::quietLogger(), broker.metrics);
  consumer.start();
  // One line per connection of the broker: its vhost, then its properties.
  const auto retries = [&] {
    std::istringstream listed(
        testing::servers("rabbitmqctl -q list_connections vhost client_properties"));
    for (std::string line; std::getline(listed, line);) {
      if (line.rfind(broker.vhost.name(), 0) == 0 &&
          line.find("consumer (retries)") != std::string::npos) {
        return true;
      }
    }
    return false;
  };
  CHECK(eventually(retries, 15));
  CHECK(handler.count() == 0);  // nothing was delivered, let alone failed
  consumer.stop(std::chrono::steady_clock::now() + 2s);
}

TEST_CASE(
    "consumer: it starts one handler thread and makes another only when a delivery finds every "
    "one busy, up to its concurrency, and keeps it") {
  Broker broker;
  std::mutex mutex;
  std::condition_variable released;
  bool release = false;
  Scripted handler([&](const auto&) {
    std::unique_lock lock(mutex);
    released.wait(lock, [&] { return release; });
    return events::Outcome::ok();
  });
  auto options = broker.options();
  options.concurrency = 3;
  amqp::RabbitConsumer consumer(options, handler, testing::quietLogger(), broker.metrics);
  consumer.start();
  CHECK(consumer.workers() == 1);
  broker.publishTaskEvents(1);
  REQUIRE(eventually([&] { return handler.count() == 1; }));
  CHECK(consumer.workers() == 1);  // one delivery, one idle worker: no other made
  broker.publishTaskEvents(5);     // every worker busy: two more, then the bound
  REQUIRE(eventually([&] { return handler.count() == 3; }));
  CHECK(consumer.workers() == 3);
  {
    std::lock_guard lock(mutex);
    release = true;
  }
  released.notify_all();
  REQUIRE(eventually([&] { return handler.count() == 6; }));
  CHECK(consumer.workers() == 3);  // kept, and never more than its concurrency
  consumer.stop(std::chrono::steady_clock::now() + 2s);
  CHECK(eventually([&] { return broker.vhost.depth("workstream.notifications") == 0; }));
  CHECK(handler.count() == 6);
}

TEST_CASE("consumer: poison goes to the DLQ at once, with its error context") {
  Broker broker;
  Scripted handler(
      [](const auto&) { return events::Outcome::poison("INVALID_PAYLOAD", "no task_id"); });
  amqp::RabbitConsumer consumer(broker.options(), handler, testing::quietLogger(), broker.metrics);
  consumer.start();
  broker.publishTaskEvents(1);
  REQUIRE(eventually([&] { return broker.vhost.depth("workstream.notifications.dlq") == 1; }));
  consumer.stop(std::chrono::steady_clock::now() + 2s);
  CHECK(handler.count() == 1);
  auto dead = broker.vhost.get("workstream.notifications.dlq");
  REQUIRE(dead);
  CHECK(dead->messageId == "message-0");
  CHECK(dead->body == R"({"n":0})");
  CHECK(dead->headers.at("x-error-code") == "INVALID_PAYLOAD");
  CHECK(dead->headers.at("x-error-message") == "no task_id");
  CHECK(dead->headers.at("x-attempts") == "1");
  CHECK(dead->headers.at("x-original-routing-key") == "workstream.task.created");
  CHECK(dead->headers.at("x-consumer") == "workstream-test");
  CHECK(dead->headers.count("x-first-failure-at") == 1);
  CHECK(dead->headers.count("x-last-failure-at") == 1);
  CHECK(dead->headers.at("traceparent").starts_with("00-0af7651916cd43dd8448eb211c80319c"));
  CHECK(broker.vhost.depth("workstream.notifications") == 0);
}

TEST_CASE("consumer: transient failures retry with growing delays, then the DLQ") {
  Broker broker(2);
  Scripted handler([](const auto&) { return events::Outcome::retryLater("DOWN", "try later"); });
  events::RetryPolicy policy{3, 300ms, 10s, 0.1};
  amqp::RabbitConsumer consumer(broker.options(policy), handler, testing::quietLogger(),
                                broker.metrics);
  consumer.start();
  broker.publishTaskEvents(1);
  REQUIRE(eventually([&] { return broker.vhost.depth("workstream.notifications.dlq") == 1; }, 15));
  consumer.stop(std::chrono::steady_clock::now() + 2s);
  REQUIRE(handler.count() == 3);
  std::lock_guard lock(handler.mutex);
  CHECK(handler.seen[0].attempt == 1);
  CHECK(handler.seen[1].attempt == 2);
  CHECK(handler.seen[2].attempt == 3);
  CHECK(handler.seen[1].routingKey == "workstream.task.created");  // the original, kept
  const auto firstGap = handler.times[1] - handler.times[0];
  const auto secondGap = handler.times[2] - handler.times[1];
  // The broker stamps a message's arrival in whole milliseconds, so its
  // delay may end up to 1 ms early by this clock (one run saw 599.8 ms).
  constexpr auto kBrokerTick = 1ms;
  CHECK(firstGap >= 300ms - kBrokerTick);
  CHECK(secondGap >= 600ms - kBrokerTick);
  CHECK(secondGap > firstGap);
  auto dead = broker.vhost.get("workstream.notifications.dlq");
  REQUIRE(dead);
  CHECK(dead->headers.at("x-attempts") == "3");
  CHECK(dead->headers.at("x-error-code") == "DOWN");
}

TEST_CASE("consumer: a message that fails once and then succeeds is done, not dead") {
  Broker broker;
  std::atomic<int> calls{0};
  Scripted handler([&](const auto&) {
    return ++calls == 1 ? events::Outcome::retryLater("DOWN", "once") : events::Outcome::ok();
  });
  events::RetryPolicy policy{5, 100ms, 10s, 0.0};
  amqp::RabbitConsumer consumer(broker.options(policy), handler, testing::quietLogger(),
                                broker.metrics);
  consumer.start();
  broker.publishTaskEvents(1);
  REQUIRE(eventually([&] { return handler.count() == 2; }));
  consumer.stop(std::chrono::steady_clock::now() + 2s);
  CHECK(broker.vhost.depth("workstream.notifications.dlq") == 0);
  CHECK(broker.vhost.depth("workstream.notifications") == 0);
}

TEST_CASE("consumer: on shutdown, in-flight handlers finish, the rest stays for redelivery") {
  Broker broker;
  Scripted handler([](const auto&) {
    std::this_thread::sleep_for(300ms);
    return events::Outcome::ok();
  });
  auto options = broker.options();
  options.concurrency = 2;
  amqp::RabbitConsumer consumer(options, handler, testing::quietLogger(), broker.metrics);
  consumer.start();
  broker.publishTaskEvents(20);
  REQUIRE(eventually([&] { return handler.count() >= 2; }));
  consumer.stop(std::chrono::steady_clock::now() + 5s);
  const auto handled = static_cast<int>(handler.count());
  CHECK(handled < 20);
  CHECK(broker.vhost.depth("workstream.notifications.dlq") == 0);
  CHECK(eventually([&] { return broker.vhost.depth("workstream.notifications") == 20 - handled; }));
}

TEST_CASE("consumer: deliveries of a consumer killed mid-batch are redelivered") {
  Broker broker;
  broker.publishTaskEvents(5);
  // The victim takes all five and finishes none.
  int out[2];
  REQUIRE(pipe(out) == 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  const std::string url = broker.vhost.url();
  char* argv[] = {const_cast<char*>(WORKSTREAM_CONSUMER_VICTIM), const_cast<char*>(url.c_str()),
                  nullptr};
  pid_t pid = 0;
  REQUIRE(posix_spawn(&pid, WORKSTREAM_CONSUMER_VICTIM, &actions, nullptr, argv, environ) == 0);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  FILE* lines = fdopen(out[0], "r");
  std::set<std::string> started;
  char line[256];
  while (started.size() < 5 && std::fgets(line, sizeof line, lines)) started.insert(line);
  REQUIRE(started.size() == 5);
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  fclose(lines);

  Scripted handler([](const auto&) { return events::Outcome::ok(); });
  amqp::RabbitConsumer consumer(broker.options(), handler, testing::quietLogger(), broker.metrics);
  consumer.start();
  REQUIRE(eventually([&] { return handler.count() == 5; }));
  consumer.stop(std::chrono::steady_clock::now() + 2s);
  std::lock_guard lock(handler.mutex);
  for (const auto& d : handler.seen) CHECK(d.redelivered);
}

TEST_CASE("consumer: after the broker drops the connection it reconnects and resubscribes") {
  Broker broker;
  Scripted handler([](const auto&) { return events::Outcome::ok(); });
  amqp::RabbitConsumer consumer(broker.options(), handler, testing::quietLogger(), broker.metrics);
  consumer.start();
  REQUIRE(eventually([&] { return consumer.connected(); }));
  const auto vhostName = broker.vhost.url().substr(broker.vhost.url().rfind('/') + 1);
  testing::servers("rabbitmqctl -q close_all_connections -p " + vhostName + " test");
  broker.publishTaskEvents(3, "after-");
  REQUIRE(eventually([&] { return handler.count() == 3; }, 15));
  consumer.stop(std::chrono::steady_clock::now() + 2s);
}

TEST_CASE("topology: declaring twice is fine, a queue with other arguments is a clear error") {
  RabbitVhost vhost;
  {
    amqp::Connection c(vhost.options());
    amqp::declareTopology(c, 4);
    amqp::declareTopology(c, 4);
  }
  RabbitVhost other;
  {
    amqp::Connection c(other.options());
    amqp_queue_declare(c.get(), amqp::Connection::kChannel, amqp::bytes("workstream.mailer"), 0, 1,
                       0, 0, amqp_empty_table);  // classic, not quorum
    c.check("pre-declare");
  }
  amqp::Connection c(other.options());
  CHECK_THROWS_WITH(amqp::declareTopology(c, 4), Catch::Contains("workstream.mailer"));
}
