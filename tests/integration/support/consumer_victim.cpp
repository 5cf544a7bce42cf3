// A consumer that takes deliveries and never finishes them: it prints each
// message id as it starts on it, so a test can kill it mid-batch.
//   consumer_victim <amqp url>
#include <cstdio>
#include <thread>

#include "rabbitmq/rabbit_consumer.hpp"

using namespace workstream;

namespace {

class Stuck final : public events::DeliveryHandler {
 public:
  events::Outcome handle(const events::Delivery& delivery) override {
    std::printf("started %s\n", delivery.messageId.c_str());
    std::fflush(stdout);
    std::this_thread::sleep_for(std::chrono::hours(1));
    return events::Outcome::ok();
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  Stuck handler;
  Metrics metrics;
  amqp::ConsumerOptions options;
  options.connection = {argv[1], std::chrono::milliseconds(5000), 0, "victim"};
  options.queue = events::notificationsQueue();
  options.consumerName = "victim";
  options.prefetch = 10;
  options.concurrency = 10;
  amqp::RabbitConsumer consumer(options, handler,
                                Logger(std::make_shared<LogSink>(stderr, LogLevel::warn), "victim"),
                                metrics);
  consumer.start();
  std::this_thread::sleep_for(std::chrono::hours(1));
}
