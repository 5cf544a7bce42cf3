#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "rabbitmq/amqp_connection.hpp"
#include "workstream/events/publisher.hpp"

namespace workstream::amqp {

// EventPublisher on one confirm-mode channel. Connects on first use and
// after a failure (the caller decides when to try again). One thread at a time.
class RabbitPublisher final : public events::EventPublisher {
 public:
  // `onConnect` runs on each new connection (say, to declare the topology).
  RabbitPublisher(ConnectionOptions options, std::chrono::milliseconds confirmTimeout,
                  std::function<void(Connection&)> onConnect = {});
  ~RabbitPublisher() override;

  std::vector<bool> publish(const std::vector<events::OutgoingMessage>& batch) override;

  // Connects now unless connected, so that a publisher kept for rare use
  // has paid for its connection (a name lookup, a handshake) before it is
  // needed. Returns the failure when the broker cannot be reached; publish
  // then connects again.
  std::optional<std::string> tryConnect();

 private:
  void connect();
  void send(const events::OutgoingMessage& message);
  void awaitConfirms(const std::vector<events::OutgoingMessage>& batch,
                     std::vector<bool>& confirmed);

  ConnectionOptions options_;
  std::chrono::milliseconds confirmTimeout_;
  std::function<void(Connection&)> onConnect_;
  std::unique_ptr<Connection> connection_;
  std::uint64_t nextTag_ = 1;  // delivery tags count from 1 per channel
};

}  // namespace workstream::amqp
