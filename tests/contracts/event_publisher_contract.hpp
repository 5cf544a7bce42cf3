#pragma once

// The EventPublisher contract (include/workstream/events/publisher.hpp), run
// against every adapter: RecordingPublisher in the unit tests, RabbitMQ on a
// vhost of the test's own in the integration tests.
#include <catch2/catch.hpp>
#include <functional>

#include "workstream/core/errors.hpp"
#include "workstream/core/uuid.hpp"
#include "workstream/events/consumer.hpp"
#include "workstream/events/publisher.hpp"
#include "workstream/events/topology.hpp"

namespace workstream::contracts {

struct PublisherHarness {
  events::EventPublisher& publisher;
  std::string routed;    // a routing key bound to a queue on events::kExchange
  std::string unrouted;  // a routing key bound to none
  // The messages that reached the routed key's queue since the last call, in order.
  std::function<std::vector<events::Delivery>()> take;
};

inline events::OutgoingMessage contractMessage(const std::string& routingKey, int n) {
  events::OutgoingMessage m;
  m.exchange = std::string(events::kExchange);
  m.routingKey = routingKey;
  m.messageId = newUuid();
  m.type = "workstream.contract.test.v1";
  m.appId = "workstream-contract";
  m.body = R"({"n":)" + std::to_string(n) + R"(,"text":"ünïcode"})";
  m.timestamp = 1'700'000'000 + n;
  m.headers.emplace_back("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  return m;
}

inline void checkArrived(const events::Delivery& got, const events::OutgoingMessage& sent) {
  CHECK(got.messageId == sent.messageId);
  CHECK(got.type == sent.type);
  CHECK(got.appId == sent.appId);
  CHECK(got.body == sent.body);
  CHECK(got.timestamp == sent.timestamp);
  CHECK(got.routingKey == sent.routingKey);
  CHECK(got.headers.count("traceparent") == 1);
  if (got.headers.count("traceparent")) {
    CHECK(got.headers.at("traceparent") == std::get<std::string>(sent.headers[0].second));
  }
}

inline void checkEventPublisherContract(PublisherHarness& h) {
  CHECK(h.publisher.publish({}).empty());
  CHECK(h.take().empty());

  // A batch is confirmed per message, and arrives in order with its properties.
  std::vector<events::OutgoingMessage> batch;
  for (int n = 0; n < 3; ++n) batch.push_back(contractMessage(h.routed, n));
  CHECK(h.publisher.publish(batch) == std::vector<bool>{true, true, true});
  auto arrived = h.take();
  REQUIRE(arrived.size() == 3);
  for (int n = 0; n < 3; ++n) checkArrived(arrived[n], batch[n]);

  // An unroutable message is refused, never silently dropped as "published";
  // its neighbours in the batch are confirmed as usual.
  const std::vector<events::OutgoingMessage> mixed{contractMessage(h.routed, 10),
                                                   contractMessage(h.unrouted, 11),
                                                   contractMessage(h.routed, 12)};
  CHECK(h.publisher.publish(mixed) == std::vector<bool>{true, false, true});
  arrived = h.take();
  REQUIRE(arrived.size() == 2);
  checkArrived(arrived[0], mixed[0]);
  checkArrived(arrived[1], mixed[2]);

  // A message with an expiration (a delay queue's) still arrives while it lives.
  auto expiring = contractMessage(h.routed, 20);
  expiring.expirationMs = 60'000;
  CHECK(h.publisher.publish({expiring}) == std::vector<bool>{true});
  arrived = h.take();
  REQUIRE(arrived.size() == 1);
  checkArrived(arrived[0], expiring);
}

// A publisher whose broker cannot be reached throws Unavailable: nothing of
// the batch may count as published.
inline void checkEventPublisherUnavailable(events::EventPublisher& down,
                                           const std::string& routingKey) {
  CHECK_THROWS_AS(down.publish({contractMessage(routingKey, 0), contractMessage(routingKey, 1)}),
                  Unavailable);
}

}  // namespace workstream::contracts
