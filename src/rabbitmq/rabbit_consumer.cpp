#include "rabbitmq/rabbit_consumer.hpp"

#include <amqp.h>

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <random>
#include <stdexcept>
#include <system_error>

#include "events/failure_routing.hpp"
#include "rabbitmq/delivery.hpp"
#include "rabbitmq/rabbit_publisher.hpp"

namespace workstream::amqp {
namespace {

// How often the depth of the dead-letter queue is read: a passive declare,
// cheap, but not for every delivery.
constexpr std::chrono::seconds kDepthSampleEvery{5};

}  // namespace

RabbitConsumer::RabbitConsumer(ConsumerOptions options, events::DeliveryHandler& handler,
                               Logger log, Metrics& metrics)
    : options_(std::move(options)),
      handler_(handler),
      log_(std::move(log)),
      metrics_(metrics, options_.queue.name),
      wakeFd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (wakeFd_ < 0) throw InfrastructureError("eventfd failed");
}

RabbitConsumer::~RabbitConsumer() {
  stop(std::chrono::steady_clock::now());
  close(wakeFd_);
}

void RabbitConsumer::start() {
  workers_.emplace_back([this] { work(); });
  workerCount_ = 1;
  connectionThread_ = std::thread([this] { run(); });
}

// On the connection thread. A worker that cannot be made leaves the
// deliveries to the workers there are.
bool RabbitConsumer::addWorker() {
  try {
    workers_.emplace_back([this] { work(); });
    ++workerCount_;
    return true;
  } catch (const std::system_error& e) {
    log_.warn("cannot start another handler thread",
              {{"queue", options_.queue.name}, {"error", e.what()}});
    return false;
  }
}

void RabbitConsumer::stop(std::chrono::steady_clock::time_point deadline) {
  {
    // Under the lock, so a worker between its check and its wait cannot miss it.
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    deadline_ = deadline;
    stopping_ = true;
  }
  wake();
  jobsReady_.notify_all();
  if (connectionThread_.joinable()) connectionThread_.join();
  for (auto& worker : workers_) worker.join();
}

void RabbitConsumer::wake() {
  const std::uint64_t one = 1;
  [[maybe_unused]] auto n = write(wakeFd_, &one, sizeof one);
}

void RabbitConsumer::run() {
  backoff_.reset();
  ConnectionOptions publisherOptions = options_.connection;
  publisherOptions.name += " (retries)";
  publisherOptions.heartbeatSeconds = 0;  // idle between failures: no heartbeats to miss
  while (!stopping_) {
    try {
      Connection connection(options_.connection);
      if (options_.onConnect) options_.onConnect(connection);
      amqp_basic_qos(connection.get(), Connection::kChannel, 0,
                     static_cast<uint16_t>(options_.prefetch), 0);
      connection.check("basic.qos");
      amqp_basic_consume(connection.get(), Connection::kChannel, bytes(options_.queue.name),
                         amqp_empty_bytes, 0, /*no_ack=*/0, 0, amqp_empty_table);
      connection.check("basic.consume on " + options_.queue.name);
      RabbitPublisher publisher(publisherOptions, options_.confirmTimeout);
      ++generation_;
      acks_.reset();
      connected_ = true;
      // After deliveries that could not be moved, the backoff keeps growing:
      // reconnecting at once would requeue them in a loop.
      if (!stuck_) backoff_.reset();
      stuck_ = false;
      log_.info("consuming", {{"queue", options_.queue.name}});
      if (options_.onSubscribed) options_.onSubscribed();
      // Connected before the first delivery that must move, not by it: that
      // delivery would wait for the connection, and every other with it.
      if (auto failure = publisher.tryConnect()) {
        log_.warn("cannot connect the publisher of retries and dead letters yet",
                  {{"queue", options_.queue.name}, {"error", *failure}});
      }
      serve(connection, publisher);
      drain(connection, publisher);
      connected_ = false;
      return;
    } catch (const InfrastructureError& e) {
      connected_ = false;
      dropQueuedJobs();  // their tags died with the connection; the broker redelivers
      log_.warn("consumer connection lost; reconnecting",
                {{"queue", options_.queue.name}, {"error", e.what()}});
      std::unique_lock lock(mutex_);
      jobsReady_.wait_for(lock, backoff_.next(), [this] { return stopping_.load(); });
    }
  }
}

void RabbitConsumer::waitForWork(int socket, int timeoutMs) {
  pollfd fds[2] = {{socket, POLLIN, 0}, {wakeFd_, POLLIN, 0}};
  poll(fds, 2, timeoutMs);
  std::uint64_t count;
  while (read(wakeFd_, &count, sizeof count) > 0) {
  }
}

void RabbitConsumer::serve(Connection& connection, RabbitPublisher& publisher) {
  auto* conn = connection.get();
  const int socket = amqp_get_sockfd(conn);
  while (!stopping_) {
    settle(connection, publisher);
    sampleDeadLetterDepth(connection);
    if (!amqp_data_in_buffer(conn) && !amqp_frames_enqueued(conn)) waitForWork(socket, 1000);
    if (stopping_) break;
    settle(connection, publisher);
    amqp_maybe_release_buffers(conn);
    amqp_envelope_t envelope;
    timeval immediately{0, 0};
    const auto reply = amqp_consume_message(conn, &envelope, &immediately, 0);
    if (reply.reply_type == AMQP_RESPONSE_NORMAL) {
      Job job{generation_, envelope.delivery_tag, toDelivery(envelope), {}};
      amqp_destroy_envelope(&envelope);
      acks_.delivered(job.tag);
      bool allBusy = false;
      {
        std::lock_guard lock(mutex_);
        jobs_.push_back(std::move(job));
        allBusy = jobs_.size() > static_cast<std::size_t>(idle_);
      }
      if (allBusy && static_cast<int>(workers_.size()) < options_.concurrency) addWorker();
      metrics_.inFlight.add(1);
      jobsReady_.notify_one();
      continue;
    }
    if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
        reply.library_error == AMQP_STATUS_TIMEOUT) {
      continue;
    }
    if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
        reply.library_error == AMQP_STATUS_UNEXPECTED_STATE) {
      amqp_frame_t frame;
      connection.checkStatus(amqp_simple_wait_frame(conn, &frame), "reading a frame");
      if (frame.frame_type == AMQP_FRAME_METHOD &&
          (frame.payload.method.id == AMQP_CHANNEL_CLOSE_METHOD ||
           frame.payload.method.id == AMQP_CONNECTION_CLOSE_METHOD ||
           frame.payload.method.id == AMQP_BASIC_CANCEL_METHOD)) {
        connection.markBroken();
        throw Unavailable("the broker closed the channel or cancelled the consumer");
      }
      continue;
    }
    connection.markBroken();
    throw Unavailable("lost the connection to RabbitMQ");
  }
}

// Stopping: no new deliveries are handed out; handlers in flight may finish
// until the deadline and are settled; the rest stays unacknowledged.
void RabbitConsumer::drain(Connection& connection, RabbitPublisher& publisher) {
  dropQueuedJobs();
  while (std::chrono::steady_clock::now() < deadline_) {
    {
      std::lock_guard lock(mutex_);
      if (busy_ == 0 && completions_.empty()) break;
    }
    waitForWork(-1, 50);
    settle(connection, publisher);
  }
}

void RabbitConsumer::dropQueuedJobs() {
  std::lock_guard lock(mutex_);
  metrics_.inFlight.add(-static_cast<double>(jobs_.size()));
  jobs_.clear();
}

// A passive declare answers with the queue's message count. The topology
// (declared on connect) has the queue; if it went missing the declare fails
// and the reconnect declares it again.
void RabbitConsumer::sampleDeadLetterDepth(Connection& connection) {
  const auto now = std::chrono::steady_clock::now();
  if (now < nextDepthSample_) return;
  nextDepthSample_ = now + kDepthSampleEvery;
  const auto dlq = options_.queue.deadLetterQueue();
  auto* ok = amqp_queue_declare(connection.get(), Connection::kChannel, bytes(dlq), /*passive=*/1,
                                0, 0, 0, amqp_empty_table);
  connection.check("passive queue.declare of " + dlq);
  if (ok != nullptr) metrics_.dlqDepth.set(static_cast<double>(ok->message_count));
}

// Takes what is waiting, up to the handler's batch, and hands it over in
// one call: a batch forms only while the workers are busy, so an idle
// consumer handles each delivery at once.
void RabbitConsumer::work() {
  const std::size_t maxBatch = std::max<std::size_t>(1, handler_.maxBatch());
  std::vector<Job> batch;
  std::vector<const events::Delivery*> deliveries;
  while (true) {
    batch.clear();
    deliveries.clear();
    {
      std::unique_lock lock(mutex_);
      ++idle_;
      jobsReady_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      --idle_;
      if (jobs_.empty()) return;  // stopping
      while (!jobs_.empty() && batch.size() < maxBatch) {
        batch.push_back(std::move(jobs_.front()));
        jobs_.pop_front();
      }
      busy_ += static_cast<int>(batch.size());
    }
    for (auto& job : batch) {
      job.context = events::eventContext(job.delivery);
      deliveries.push_back(&job.delivery);
    }
    const auto started = std::chrono::steady_clock::now();
    std::vector<events::Outcome> outcomes;
    if (batch.size() == 1) {
      outcomes.push_back(
          events::outcomeOf([&] { return handler_.handle(batch.front().delivery); }));
    } else {
      try {
        outcomes = handler_.handleBatch(deliveries);
        if (outcomes.size() != batch.size())
          throw std::logic_error("a handler answered for a different number of deliveries");
      } catch (...) {
        outcomes.assign(batch.size(), events::failureOutcome(std::current_exception()));
      }
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    for (std::size_t i = 0; i < batch.size(); ++i)
      metrics_.handled(batch[i].context, outcomes[i], seconds);
    {
      std::lock_guard lock(mutex_);
      busy_ -= static_cast<int>(batch.size());
      for (std::size_t i = 0; i < batch.size(); ++i)
        completions_.push_back({std::move(batch[i]), std::move(outcomes[i])});
    }
    wake();
  }
}

// Acks what is done; moves the rest to a retry tier or the DLQ (confirmed)
// and then acks it. If that move fails, the delivery is requeued instead.
void RabbitConsumer::settle(Connection& connection, RabbitPublisher& publisher) {
  std::vector<Completion> completions;
  {
    std::lock_guard lock(mutex_);
    completions.swap(completions_);
  }
  thread_local std::mt19937_64 random{std::random_device{}()};
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<const Completion*> failed;
  std::vector<events::OutgoingMessage> copies;
  for (const auto& c : completions) {
    metrics_.inFlight.add(-1);
    if (c.job.generation != generation_) continue;  // from a lost connection
    if (c.outcome.kind == events::Outcome::Kind::done) {
      acks_.ready(c.job.tag);
      metrics_.done.inc();
      continue;
    }
    failed.push_back(&c);
    copies.push_back(events::failureCopy(c.job.delivery, c.outcome, options_.queue, options_.retry,
                                         options_.consumerName, nowRfc3339(), unit(random)));
  }
  sendAcks(connection);
  if (failed.empty()) return;
  // One at a time: returned messages are told apart by id, and a batch may
  // hold two copies of one message.
  std::vector<bool> moved(failed.size(), false), refused(failed.size(), false);
  try {
    for (std::size_t i = 0; i < copies.size(); ++i) {
      moved[i] = publisher.publish({copies[i]}).front();
      refused[i] = !moved[i];
    }
  } catch (const InfrastructureError& e) {
    log_.warn("cannot move failed deliveries; requeueing them", {{"error", e.what()}});
  }
  bool stuck = false;
  for (std::size_t i = 0; i < failed.size(); ++i) {
    const auto& c = *failed[i];
    const bool dead = events::goesToDeadLetters(c.job.delivery, c.outcome, options_.retry);
    if (!moved[i]) {
      const bool requeue = !refused[i] || !refusedTooOften(c);
      if (requeue) {
        log_.warn("delivery requeued: it could not be moved to its retry or dead-letter queue",
                  {{"queue", options_.queue.name},
                   {"event_id", c.job.context.eventId},
                   {"trace_id", c.job.context.traceId},
                   {"task_id", c.job.context.taskId},
                   {"error_code", c.outcome.errorCode}});
      }
      connection.checkStatus(
          amqp_basic_nack(connection.get(), Connection::kChannel, c.job.tag, 0, requeue ? 1 : 0),
          "basic.nack");
      acks_.forget(c.job.tag);
      stuck = stuck || requeue;
      continue;
    }
    refusals_.erase(c.job.delivery.messageId);
    acks_.ready(c.job.tag);
    (dead ? metrics_.deadLettered : metrics_.retried).inc();
    metrics_
        .failures(
            dead ? "workstream_events_dead_lettered_total" : "workstream_events_retried_total",
            c.outcome.errorCode)
        .inc();
    log_.log(dead ? LogLevel::warn : LogLevel::info,
             dead ? "delivery dead-lettered" : "delivery will be retried",
             {{"queue", options_.queue.name},
              {"event_id", c.job.context.eventId},
              {"trace_id", c.job.context.traceId},
              {"task_id", c.job.context.taskId},
              {"attempt", std::to_string(c.job.delivery.attempt)},
              {"error_code", c.outcome.errorCode},
              {"error", c.outcome.errorMessage}});
  }
  sendAcks(connection);
  // A retry or dead-letter queue that refuses copies (deleted, say) would
  // turn requeueing into a hot loop: reconnect, with backoff, which declares
  // the topology again.
  if (stuck) {
    stuck_ = true;
    throw Unavailable("failed deliveries could not be moved to their queues");
  }
}

// Durable effects only reach this point, so a run of them is acked in one
// frame; see AckBatcher for what a multiple ack never covers.
void RabbitConsumer::sendAcks(Connection& connection) {
  for (const auto& ack : acks_.take()) {
    connection.checkStatus(
        amqp_basic_ack(connection.get(), Connection::kChannel, ack.tag, ack.multiple ? 1 : 0),
        "basic.ack");
  }
}

// A copy the broker refused (nack, or returned) kMaxRefusals times, each
// time after a reconnect that declared the topology again, is refused for
// what it is: requeueing it again would loop for ever, so it is dropped,
// loudly. Connection failures never count; they are the broker's, not the
// message's.
bool RabbitConsumer::refusedTooOften(const Completion& c) {
  if (refusals_.size() > kMaxTrackedRefusals) refusals_.clear();
  const auto& id = c.job.delivery.messageId;
  if (++refusals_[id] < kMaxRefusals) return false;
  refusals_.erase(id);
  log_.error("delivery dropped: its queue refused it repeatedly and it cannot be dead-lettered",
             {{"queue", options_.queue.name},
              {"event_id", c.job.context.eventId},
              {"trace_id", c.job.context.traceId},
              {"task_id", c.job.context.taskId},
              {"error_code", c.outcome.errorCode},
              {"error", c.outcome.errorMessage}});
  return true;
}

}  // namespace workstream::amqp
