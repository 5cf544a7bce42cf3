#pragma once

// RabbitMQ settings shared by the roles that publish or consume.

#include <string>

#include "events/retry_policy.hpp"
#include "rabbitmq/amqp_connection.hpp"
#include "rabbitmq/rabbit_consumer.hpp"
#include "workstream/core/config.hpp"
#include "workstream/core/log.hpp"
#include "workstream/core/readiness.hpp"

namespace workstream::app {

amqp::ConnectionOptions connectionOptions(const Config& config, std::string name,
                                          int heartbeatSeconds = 0);
events::RetryPolicy retryPolicy(const Config& config);
// A consumer of `queue` with the configured prefetch, concurrency and
// retries, declaring the topology on each connection; readiness looks again
// as soon as it is subscribed.
amqp::ConsumerOptions consumerOptions(const Config& config, const events::ConsumerQueue& queue,
                                      std::string consumerName, Readiness& readiness);
// Declares the topology on `connection` (each new connection does it).
void declareTopology(amqp::Connection& connection, const Config& config);
// At startup: declares the topology; a broker that is down is only a
// warning (the roles declare again on connect), but a topology that
// contradicts ours (AmqpError) stops startup.
void declareTopologyAtStartup(const Config& config, const Logger& log);

}  // namespace workstream::app
