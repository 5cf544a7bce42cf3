#include "ops/dlq.hpp"

#include <amqp.h>

#include "rabbitmq/delivery.hpp"
#include "rabbitmq/rabbit_publisher.hpp"

#include <thread>

namespace workstream::ops {
namespace {

using amqp::Connection;

// How long a pass waits for the next message, and for the returned ones to be back.
constexpr int kIdleSeconds = 2;

// The depth of `queue` now, from a passive declare (which creates nothing).
std::uint32_t depth(Connection& c, const std::string& queue) {
  const auto* ok = amqp_queue_declare(c.get(), Connection::kChannel, amqp::bytes(queue),
                                      /*passive=*/1, 0, 0, 0, amqp_empty_table);
  try {
    c.check("queue.declare");
  } catch (const amqp::AmqpError& e) {
    throw amqp::AmqpError("RabbitMQ has no queue " + queue +
                          " (declare the topology: workstream topology declare): " + e.what());
  }
  return ok->message_count;
}

// Holds messages unacked while a pass looks at them: with a single consumer
// (rather than basic.get, which RabbitMQ counts as one consumer a message), a
// quorum queue returns what was not acked in its original order when the
// channel closes.
void consume(Connection& c, const std::string& queue, std::uint32_t count) {
  // A prefetch of `count` stops deliveries at the messages the pass visits.
  const std::uint16_t prefetch = count <= 65535 ? static_cast<std::uint16_t>(count) : 0;
  amqp_basic_qos(c.get(), Connection::kChannel, 0, prefetch, 0);
  c.check("basic.qos");
  amqp_basic_consume(c.get(), Connection::kChannel, amqp::bytes(queue), amqp_empty_bytes,
                     /*no_local=*/0, /*no_ack=*/0, /*exclusive=*/0, amqp_empty_table);
  c.check("basic.consume");
}

// The next message, held unacked; nothing once none came for a while (the
// queue held fewer than counted: another consumer took some).
std::optional<std::pair<std::uint64_t, DlqMessage>> next(Connection& c,
                                                         const events::ConsumerQueue& consumer) {
  amqp_maybe_release_buffers(c.get());
  amqp_envelope_t envelope;
  timeval wait{kIdleSeconds, 0};
  const auto reply = amqp_consume_message(c.get(), &envelope, &wait, 0);
  if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
      reply.library_error == AMQP_STATUS_TIMEOUT) {
    return std::nullopt;
  }
  if (reply.reply_type != AMQP_RESPONSE_NORMAL) {
    c.markBroken();
    throw Unavailable("cannot read from " + consumer.deadLetterQueue());
  }
  DlqMessage message{consumer, amqp::toDelivery(envelope), amqp::str(envelope.routing_key)};
  const std::uint64_t tag = envelope.delivery_tag;
  amqp_destroy_envelope(&envelope);
  return std::pair{tag, std::move(message)};
}

// Closes the channel, so RabbitMQ returns what was not acked, and waits a
// little until it has (it does so after the close): a command run right after
// this one then sees every message.
void giveBack(Connection& c, const std::string& queue, std::uint32_t remaining) {
  amqp_channel_close(c.get(), Connection::kChannel, AMQP_REPLY_SUCCESS);
  c.check("channel.close");
  amqp_channel_open(c.get(), Connection::kChannel);
  c.check("channel.open");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(kIdleSeconds);
  while (depth(c, queue) < remaining && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace

void passOverDlq(const amqp::ConnectionOptions& options, const events::ConsumerQueue& consumer,
                 const std::function<Verdict(const DlqMessage&)>& visit) {
  Connection c(options);
  const std::string queue = consumer.deadLetterQueue();
  const std::uint32_t count = depth(c, queue);
  if (count == 0) return;
  consume(c, queue, count);
  std::uint32_t removed = 0;
  // Every message of the pass is read even when the caller has seen enough:
  // a queue returns the messages of a partial pass behind the unread ones.
  for (std::uint32_t i = 0; i < count; ++i) {
    auto got = next(c, consumer);
    if (!got) break;
    if (visit(got->second) == Verdict::remove) {
      c.checkStatus(amqp_basic_ack(c.get(), Connection::kChannel, got->first, 0), "basic.ack");
      ++removed;
    }
  }
  giveBack(c, queue, count - removed);
}

Replayer::Replayer(const amqp::ConnectionOptions& options, std::chrono::milliseconds confirmTimeout)
    : publisher_(std::make_unique<amqp::RabbitPublisher>(options, confirmTimeout)) {}

Replayer::~Replayer() = default;

void Replayer::send(const DlqMessage& message) {
  const auto copy = replayCopy(message, formatRfc3339(systemNow()));
  if (!publisher_->publish({copy}).at(0)) {
    throw amqp::AmqpError("RabbitMQ did not take the replay of " + message.delivery.messageId +
                          " to " + message.consumer.name + " (does the queue exist?)");
  }
}

}  // namespace workstream::ops
