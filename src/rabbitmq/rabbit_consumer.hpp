#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "events/event_context.hpp"
#include "events/retry_policy.hpp"
#include "rabbitmq/ack_batcher.hpp"
#include "rabbitmq/amqp_connection.hpp"
#include "rabbitmq/consumer_instruments.hpp"
#include "workstream/core/backoff.hpp"
#include "workstream/core/log.hpp"
#include "workstream/core/metrics.hpp"
#include "workstream/events/consumer.hpp"
#include "workstream/events/topology.hpp"

namespace workstream::amqp {

class RabbitPublisher;

struct ConsumerOptions {
  ConnectionOptions connection;
  events::ConsumerQueue queue;
  std::string consumerName;  // x-consumer on dead letters, e.g. workstream-mailer
  int prefetch = 16;
  int concurrency = 4;
  events::RetryPolicy retry;
  std::chrono::milliseconds confirmTimeout{5000};
  std::function<void(Connection&)> onConnect;  // runs before subscribing
  std::function<void()> onSubscribed;          // runs once consuming, on each connection
};

// The consumer runtime on RabbitMQ: manual acks, bounded prefetch, handlers
// on up to `concurrency` worker threads (one at start; another is made, and
// kept, when a delivery finds every worker busy), retries through delay queues, dead
// letters with their error context. One thread owns the connections
// (rabbitmq-c is not thread-safe); it reconnects with backoff and
// resubscribes after a lost connection. On stop it takes no new deliveries,
// lets handlers in flight finish and settles them, and leaves every other
// delivery unacknowledged for the broker to redeliver; it never
// dead-letters because of a shutdown.
class RabbitConsumer {
 public:
  RabbitConsumer(ConsumerOptions options, events::DeliveryHandler& handler, Logger log,
                 Metrics& metrics);
  ~RabbitConsumer();

  void start();
  void stop(std::chrono::steady_clock::time_point deadline);
  bool connected() const { return connected_; }
  // Worker threads made so far: 1 from start(), `concurrency` at most.
  int workers() const { return workerCount_; }

 private:
  struct Job {
    std::uint64_t generation;
    std::uint64_t tag;
    events::Delivery delivery;
    events::EventContext context;  // filled in by the worker
  };
  struct Completion {
    Job job;
    events::Outcome outcome;
  };

  void run();
  void serve(Connection& connection, RabbitPublisher& publisher);
  void drain(Connection& connection, RabbitPublisher& publisher);
  void settle(Connection& connection, RabbitPublisher& publisher);
  void sendAcks(Connection& connection);
  void work();
  bool addWorker();
  void wake();
  void waitForWork(int socket, int timeoutMs);
  void dropQueuedJobs();
  bool refusedTooOften(const Completion& completion);
  void sampleDeadLetterDepth(Connection& connection);

  ConsumerOptions options_;
  events::DeliveryHandler& handler_;
  Logger log_;
  ConsumerInstruments metrics_;
  std::chrono::steady_clock::time_point nextDepthSample_{};

  std::atomic<bool> stopping_{false};
  std::atomic<bool> connected_{false};
  std::chrono::steady_clock::time_point deadline_{};
  std::uint64_t generation_ = 0;         // which connection a delivery tag belongs to
  Backoff backoff_{kConsumerReconnect};  // before the next reconnect
  bool stuck_ = false;  // the last connection ended on deliveries it could not move
  // Refused moves per message id, on the connection thread only.
  static constexpr int kMaxRefusals = 3;
  static constexpr std::size_t kMaxTrackedRefusals = 10'000;
  std::unordered_map<std::string, int> refusals_;
  AckBatcher acks_;  // deliveries of this connection, on its thread only
  int wakeFd_ = -1;

  std::mutex mutex_;
  std::condition_variable jobsReady_;
  std::deque<Job> jobs_;
  std::vector<Completion> completions_;
  int busy_ = 0;  // jobs being handled
  int idle_ = 0;  // workers waiting for a job

  std::thread connectionThread_;
  std::vector<std::thread> workers_;  // grown on the connection thread only
  std::atomic<int> workerCount_{0};
};

}  // namespace workstream::amqp
