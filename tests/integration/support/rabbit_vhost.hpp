#pragma once

#include <functional>
#include <optional>
#include <string>

#include "rabbitmq/amqp_connection.hpp"
#include "workstream/events/consumer.hpp"

namespace workstream::testing {

// A RabbitMQ vhost of its own for one test, on the local broker
// (scripts/servers.sh must have started it), dropped afterwards.
class RabbitVhost {
 public:
  RabbitVhost();
  ~RabbitVhost();
  RabbitVhost(const RabbitVhost&) = delete;
  RabbitVhost& operator=(const RabbitVhost&) = delete;

  const std::string& name() const { return name_; }
  const std::string& url() const { return url_; }
  amqp::ConnectionOptions options(std::string name = "test") const;
  // Messages ready in a queue (passive declare).
  int depth(const std::string& queue);
  // Takes one message off a queue (basic.get, acked), if there is one.
  std::optional<events::Delivery> get(const std::string& queue);

 private:
  std::string name_;
  std::string url_;
};

// Runs scripts/servers.sh with `args`; returns its standard output.
std::string servers(const std::string& args);

// Polls `condition` every 20 ms until it holds or `seconds` pass.
bool eventually(const std::function<bool()>& condition, double seconds = 10);

}  // namespace workstream::testing
