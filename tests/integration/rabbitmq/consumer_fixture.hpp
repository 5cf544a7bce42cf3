#pragma once

// What the consumer runtime's tests share: a vhost with the topology, a
// publisher of task events, and a handler that answers from a script.
#include <catch2/catch.hpp>
#include <functional>
#include <mutex>

#include "rabbitmq/declare.hpp"
#include "rabbitmq/rabbit_consumer.hpp"
#include "rabbitmq/rabbit_publisher.hpp"
#include "support/rabbit_vhost.hpp"

namespace workstream::testing {

using namespace std::chrono_literals;

// A handler that answers from a script and records what it saw.
class Scripted final : public events::DeliveryHandler {
 public:
  explicit Scripted(std::function<events::Outcome(const events::Delivery&)> script)
      : script_(std::move(script)) {}
  events::Outcome handle(const events::Delivery& d) override {
    {
      std::lock_guard lock(mutex);
      seen.push_back(d);
      times.push_back(std::chrono::steady_clock::now());
    }
    return script_(d);
  }
  std::size_t count() {
    std::lock_guard lock(mutex);
    return seen.size();
  }
  std::mutex mutex;
  std::vector<events::Delivery> seen;
  std::vector<std::chrono::steady_clock::time_point> times;

 private:
  std::function<events::Outcome(const events::Delivery&)> script_;
};

struct Broker {
  RabbitVhost vhost;
  Metrics metrics;
  amqp::RabbitPublisher publisher{vhost.options("publisher"), 5s};

  explicit Broker(int retryTiers = 4) {
    amqp::Connection c(vhost.options("declare"));
    amqp::declareTopology(c, retryTiers);
  }

  void publishTaskEvents(int n, std::string prefix = "") {
    std::vector<events::OutgoingMessage> batch;
    for (int i = 0; i < n; ++i) {
      events::OutgoingMessage m;
      m.exchange = "workstream.events";
      m.routingKey = "workstream.task.created";
      m.messageId = prefix + "message-" + std::to_string(i);
      m.type = "workstream.task.created.v1";
      m.appId = "test";
      m.body = R"({"n":)" + std::to_string(i) + "}";
      m.headers.emplace_back("traceparent",
                             "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
      batch.push_back(std::move(m));
    }
    auto confirmed = publisher.publish(batch);
    REQUIRE(std::all_of(confirmed.begin(), confirmed.end(), [](bool ok) { return ok; }));
  }

  amqp::ConsumerOptions options(events::RetryPolicy retry = {}) {
    amqp::ConsumerOptions o;
    o.connection = vhost.options("consumer");
    o.queue = events::notificationsQueue();
    o.consumerName = "workstream-test";
    o.prefetch = 8;
    o.concurrency = 4;
    o.retry = retry;
    return o;
  }
};

}  // namespace workstream::testing
