// The consumer runtime with a handler that takes batches: deliveries that
// wait together are handed over together, and each is settled by its own
// outcome.
#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "rabbitmq/consumer_fixture.hpp"
#include "support/pg_schema.hpp"

using namespace workstream;
using namespace std::chrono_literals;
using testing::Broker;
using testing::eventually;

namespace {

// Holds its first call until released, so that the rest pile up behind it.
class Batching final : public events::DeliveryHandler {
 public:
  explicit Batching(std::function<events::Outcome(const events::Delivery&)> script)
      : script_(std::move(script)) {}
  std::size_t maxBatch() const override { return 8; }
  events::Outcome handle(const events::Delivery& d) override { return handleBatch({&d}).front(); }
  std::vector<events::Outcome> handleBatch(
      const std::vector<const events::Delivery*>& deliveries) override {
    std::unique_lock lock(mutex_);
    sizes.push_back(deliveries.size());
    released_.wait(lock, [this] { return open_; });
    std::vector<events::Outcome> outcomes;
    for (const auto* d : deliveries) {
      ++handled;
      outcomes.push_back(script_(*d));
    }
    return outcomes;
  }
  void release() {
    std::lock_guard lock(mutex_);
    open_ = true;
    released_.notify_all();
  }
  std::size_t count() {
    std::lock_guard lock(mutex_);
    return handled;
  }
  std::size_t calls() {
    std::lock_guard lock(mutex_);
    return sizes.size();
  }
  std::vector<std::size_t> sizes;  // per call
  std::size_t handled = 0;

 private:
  std::function<events::Outcome(const events::Delivery&)> script_;
  std::mutex mutex_;
  std::condition_variable released_;
  bool open_ = false;
};

}  // namespace

TEST_CASE("consumer: deliveries waiting together go to the handler together, each settled alone") {
  Broker broker;
  // Ids ending in 0 or 5 are poison (first-message-0 and four of the 16).
  Batching handler([](const events::Delivery& d) {
    return d.messageId.back() == '0' || d.messageId.back() == '5'
               ? events::Outcome::poison("INVALID_PAYLOAD", "fifth")
               : events::Outcome::ok();
  });
  auto options = broker.options();
  options.concurrency = 1;
  options.prefetch = 20;
  amqp::RabbitConsumer consumer(options, handler, testing::quietLogger(), broker.metrics);
  consumer.start();
  broker.publishTaskEvents(1, "first-");
  REQUIRE(eventually([&] { return handler.calls() == 1; }));
  broker.publishTaskEvents(16);
  // The 16 wait in the runtime behind the held call (prefetch 20).
  REQUIRE(eventually([&] { return broker.vhost.depth("workstream.notifications") == 0; }));
  handler.release();
  REQUIRE(eventually([&] { return handler.count() == 17; }));
  REQUIRE(eventually([&] { return broker.vhost.depth("workstream.notifications.dlq") == 5; }));
  consumer.stop(std::chrono::steady_clock::now() + 2s);
  CHECK(handler.sizes == std::vector<std::size_t>{1, 8, 8});
  CHECK(broker.vhost.depth("workstream.notifications") == 0);  // all settled: nothing redelivered
  CHECK(handler.count() == 17);
}

TEST_CASE("consumer: a batch whose handler throws is a retry of each of its deliveries") {
  Broker broker;
  std::mutex mutex;
  std::size_t calls = 0, failedBatch = 0;
  std::set<std::string> done;
  // The first call takes its time, so the rest pile up; the first call of
  // more than one delivery throws.
  class Throwing final : public events::DeliveryHandler {
   public:
    explicit Throwing(std::function<void(const std::vector<const events::Delivery*>&)> script)
        : script_(std::move(script)) {}
    std::size_t maxBatch() const override { return 8; }
    events::Outcome handle(const events::Delivery& d) override { return handleBatch({&d}).front(); }
    std::vector<events::Outcome> handleBatch(
        const std::vector<const events::Delivery*>& deliveries) override {
      script_(deliveries);
      return std::vector<events::Outcome>(deliveries.size(), events::Outcome::ok());
    }

   private:
    std::function<void(const std::vector<const events::Delivery*>&)> script_;
  } handler([&](const std::vector<const events::Delivery*>& deliveries) {
    std::unique_lock lock(mutex);
    if (calls++ == 0) {
      lock.unlock();
      std::this_thread::sleep_for(300ms);
      lock.lock();
    }
    if (failedBatch == 0 && deliveries.size() > 1) {
      failedBatch = deliveries.size();
      throw Unavailable("MongoDB: no server available");
    }
    for (const auto* d : deliveries) done.insert(d->messageId);
  });
  auto options = broker.options();
  options.concurrency = 1;
  options.prefetch = 20;
  options.retry.baseDelay = 100ms;
  amqp::RabbitConsumer consumer(options, handler, testing::quietLogger(), broker.metrics);
  consumer.start();
  broker.publishTaskEvents(12);
  // Each of the failed batch comes back from the retry tier and is done.
  REQUIRE(eventually([&] {
    std::lock_guard lock(mutex);
    return done.size() == 12;
  }));
  consumer.stop(std::chrono::steady_clock::now() + 2s);
  CHECK(failedBatch > 1);
  CHECK(broker.vhost.depth("workstream.notifications") == 0);
  CHECK(broker.vhost.depth("workstream.notifications.retry.1") == 0);
  CHECK(broker.vhost.depth("workstream.notifications.dlq") == 0);
}
