#include "app/messaging.hpp"

#include "rabbitmq/declare.hpp"

namespace workstream::app {

amqp::ConnectionOptions connectionOptions(const Config& config, std::string name,
                                          int heartbeatSeconds) {
  return {config.rabbitmqUrl, std::chrono::milliseconds(5000), heartbeatSeconds, std::move(name)};
}

events::RetryPolicy retryPolicy(const Config& config) {
  events::RetryPolicy policy;
  policy.maxAttempts = config.retryMaxAttempts;
  policy.baseDelay = config.retryBaseDelay;
  return policy;
}

amqp::ConsumerOptions consumerOptions(const Config& config, const events::ConsumerQueue& queue,
                                      std::string consumerName, Readiness& readiness) {
  amqp::ConsumerOptions options;
  options.connection = connectionOptions(config, consumerName + " consumer", 30);
  options.queue = queue;
  options.consumerName = std::move(consumerName);
  options.prefetch = config.consumerPrefetch;
  options.concurrency = config.consumerConcurrency;
  options.retry = retryPolicy(config);
  options.confirmTimeout = config.rabbitmqConfirmTimeout;
  options.onConnect = [&config](amqp::Connection& c) { declareTopology(c, config); };
  options.onSubscribed = [&readiness] { readiness.recheck(); };
  return options;
}

void declareTopology(amqp::Connection& connection, const Config& config) {
  amqp::declareTopology(connection, retryPolicy(config).retryTiers());
}

void declareTopologyAtStartup(const Config& config, const Logger& log) {
  try {
    amqp::Connection connection(connectionOptions(config, "workstream topology"));
    declareTopology(connection, config);
    log.info("RabbitMQ topology declared");
  } catch (const Unavailable& e) {
    log.warn("RabbitMQ is unreachable; the topology is declared on connect", {{"error", e.what()}});
  }
}

int topologyCommand(const Config& config) {
  Logger log(std::make_shared<LogSink>(stdout, config.logLevel), "workstream");
  try {
    amqp::Connection connection(connectionOptions(config, "workstream topology"));
    declareTopology(connection, config);
    log.info("RabbitMQ topology declared");
    return 0;
  } catch (const InfrastructureError& e) {
    log.error("cannot declare the RabbitMQ topology", {{"error", e.what()}});
    return 1;
  }
}

}  // namespace workstream::app
