#include "rabbitmq/rabbit_publisher_pool.hpp"

namespace workstream::amqp {

RabbitPublisherPool::RabbitPublisherPool(ConnectionOptions options,
                                         std::chrono::milliseconds confirmTimeout,
                                         std::function<void(Connection&)> onConnect)
    : options_(std::move(options)),
      confirmTimeout_(confirmTimeout),
      onConnect_(std::move(onConnect)) {}

RabbitPublisherPool::~RabbitPublisherPool() = default;

std::vector<bool> RabbitPublisherPool::publish(const std::vector<events::OutgoingMessage>& batch) {
  std::unique_ptr<RabbitPublisher> publisher;
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      publisher = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  if (!publisher) {
    publisher = std::make_unique<RabbitPublisher>(options_, confirmTimeout_, onConnect_);
  }
  // Back to the pool whatever happens: a failed publisher drops its
  // connection and makes a new one when next used.
  struct GiveBack {
    RabbitPublisherPool& pool;
    std::unique_ptr<RabbitPublisher>& publisher;
    ~GiveBack() {
      std::lock_guard lock(pool.mutex_);
      pool.idle_.push_back(std::move(publisher));
    }
  } giveBack{*this, publisher};
  return publisher->publish(batch);
}

std::optional<std::string> RabbitPublisherPool::warm() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) return std::nullopt;
  }
  auto publisher = std::make_unique<RabbitPublisher>(options_, confirmTimeout_, onConnect_);
  auto failure = publisher->tryConnect();
  std::lock_guard lock(mutex_);
  idle_.push_back(std::move(publisher));
  return failure;
}

}  // namespace workstream::amqp
