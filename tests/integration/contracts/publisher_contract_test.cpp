// RabbitPublisher against the EventPublisher contract, and the mail requests
// as events against the MailRequests contract, on a vhost of the test's own;
// the in-memory fakes meet the same contracts in tests/unit/contracts.
#include <atomic>
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <set>
#include <thread>

#include "contracts/event_publisher_contract.hpp"
#include "contracts/mail_requests_contract.hpp"
#include "notifications/event_mail_requests.hpp"
#include "rabbitmq/declare.hpp"
#include "rabbitmq/rabbit_publisher.hpp"
#include "rabbitmq/rabbit_publisher_pool.hpp"
#include "support/rabbit_vhost.hpp"

using namespace workstream;
using namespace std::chrono_literals;

namespace {

// Everything ready in `queue`, in order (the broker confirmed it was queued).
std::vector<events::Delivery> drain(testing::RabbitVhost& vhost, const std::string& queue) {
  std::vector<events::Delivery> out;
  while (auto delivery = vhost.get(queue)) out.push_back(std::move(*delivery));
  return out;
}

// The topology is declared up front, so that the queues are there to read
// before anything is published.
amqp::RabbitPublisher publisherOn(const testing::RabbitVhost& vhost) {
  amqp::Connection c(vhost.options("declare"));
  amqp::declareTopology(c, 1);
  return amqp::RabbitPublisher(vhost.options("contract"), 5s,
                               [](amqp::Connection& c) { amqp::declareTopology(c, 1); });
}

const amqp::ConnectionOptions kNoBroker{"amqp://guest:guest@127.0.0.1:1/%2f", 2s, 0, "down"};

}  // namespace

TEST_CASE("event publisher contract: RabbitMQ") {
  testing::RabbitVhost vhost;
  auto publisher = publisherOn(vhost);
  // workstream.task.* is bound to the notifications queue; nothing to the other.
  contracts::PublisherHarness harness{
      publisher, "workstream.task.created", "nobody.listens.here",
      [&] { return drain(vhost, events::notificationsQueue().name); }};
  contracts::checkEventPublisherContract(harness);

  amqp::RabbitPublisher down(kNoBroker, 2s);
  contracts::checkEventPublisherUnavailable(down, "workstream.task.created");
}

TEST_CASE("event publisher contract: a pool of RabbitMQ publishers, called at once") {
  testing::RabbitVhost vhost;
  {
    amqp::Connection c(vhost.options("declare"));
    amqp::declareTopology(c, 1);
  }
  amqp::RabbitPublisherPool pool(vhost.options("pool"), 5s);
  contracts::PublisherHarness harness{pool, "workstream.task.created", "nobody.listens.here", [&] {
                                        return drain(vhost, events::notificationsQueue().name);
                                      }};
  contracts::checkEventPublisherContract(harness);

  // Four threads at once, 25 batches of 4 each: every message confirmed,
  // each queued once.
  std::atomic<int> confirmed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int b = 0; b < 25; ++b) {
        std::vector<events::OutgoingMessage> batch;
        for (int i = 0; i < 4; ++i) {
          events::OutgoingMessage m;
          m.exchange = "workstream.events";
          m.routingKey = "workstream.task.created";
          m.messageId = "pool-" + std::to_string(t) + "-" + std::to_string(b * 4 + i);
          m.type = "workstream.task.created.v1";
          m.body = "{}";
          batch.push_back(std::move(m));
        }
        for (const bool ok : pool.publish(batch)) confirmed += ok ? 1 : 0;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(confirmed == 400);
  std::set<std::string> ids;
  for (const auto& delivery : drain(vhost, events::notificationsQueue().name))
    ids.insert(delivery.messageId);
  CHECK(ids.size() == 400);

  amqp::RabbitPublisherPool down(kNoBroker, 2s);
  contracts::checkEventPublisherUnavailable(down, "workstream.task.created");
}

TEST_CASE("publisher pool: warm connects one publisher that the first publish then uses") {
  testing::RabbitVhost vhost;
  std::atomic<int> connections{0};
  amqp::RabbitPublisherPool pool(vhost.options("pool"), 5s, [&](amqp::Connection& c) {
    ++connections;
    amqp::declareTopology(c, 1);
  });
  CHECK_FALSE(pool.warm());
  CHECK(connections == 1);
  CHECK_FALSE(pool.warm());  // one waits idle: nothing more
  CHECK(connections == 1);
  events::OutgoingMessage m;
  m.exchange = "workstream.events";
  m.routingKey = "workstream.task.created";
  m.messageId = "warm-1";
  m.type = "workstream.task.created.v1";
  m.body = "{}";
  CHECK(pool.publish({m}) == std::vector<bool>{true});
  CHECK(connections == 1);  // the warm one

  amqp::RabbitPublisherPool down(kNoBroker, 2s);
  const auto failure = down.warm();
  REQUIRE(failure);
  CHECK_FALSE(failure->empty());
  contracts::checkEventPublisherUnavailable(down, "workstream.task.created");
}

TEST_CASE("mail requests contract: events on RabbitMQ") {
  testing::RabbitVhost vhost;
  auto publisher = publisherOn(vhost);
  notifications::EventMailRequests requests(publisher);
  contracts::MailRequestsHarness harness{
      requests, [&] {
        // What the mailer reads: the envelope's id and trace, the payload's fields.
        std::vector<notifications::MailRequest> out;
        for (const auto& delivery : drain(vhost, events::mailerQueue().name)) {
          const auto envelope = boost::json::parse(delivery.body).as_object();
          const auto& payload = envelope.at("payload").as_object();
          notifications::MailRequest request;
          request.eventId = envelope.at("event_id").as_string().c_str();
          request.traceId = envelope.at("trace_id").as_string().c_str();
          for (const auto& to : payload.at("to").as_array())
            request.to.emplace_back(to.as_string());
          request.subject = payload.at("subject").as_string().c_str();
          request.body = payload.at("body").as_string().c_str();
          CHECK(delivery.messageId == request.eventId);
          CHECK(delivery.type == "workstream.mail.send.v1");
          out.push_back(std::move(request));
        }
        return out;
      }};
  contracts::checkMailRequestsContract(harness);

  amqp::RabbitPublisher downPublisher(kNoBroker, 2s);
  notifications::EventMailRequests down(downPublisher);
  contracts::checkMailRequestsUnavailable(down);
}
