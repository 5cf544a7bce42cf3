#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "rabbitmq/rabbit_publisher.hpp"

namespace workstream::amqp {

// EventPublisher for callers on several threads at once: each call borrows
// a RabbitPublisher (a connection and confirm channel of its own), so their
// confirms are awaited side by side instead of one after another. A pool
// grows to the most calls made at the same time and keeps them; a
// publisher whose call failed reconnects on its next use, as a lone one does.
class RabbitPublisherPool final : public events::EventPublisher {
 public:
  RabbitPublisherPool(ConnectionOptions options, std::chrono::milliseconds confirmTimeout,
                      std::function<void(Connection&)> onConnect = {});
  ~RabbitPublisherPool() override;

  std::vector<bool> publish(const std::vector<events::OutgoingMessage>& batch) override;

  // Connects a publisher now, unless one waits idle, so that the first
  // publish does not pay for a connection (and what `onConnect` does).
  // Returns the failure when the broker cannot be reached; publish then
  // connects again.
  std::optional<std::string> warm();

 private:
  ConnectionOptions options_;
  std::chrono::milliseconds confirmTimeout_;
  std::function<void(Connection&)> onConnect_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<RabbitPublisher>> idle_;
};

}  // namespace workstream::amqp
