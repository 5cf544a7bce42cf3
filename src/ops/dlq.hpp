#pragma once

// Reading and moving the messages of a dead-letter queue on RabbitMQ.
//
// A pass consumes without auto-ack, so the broker keeps every message it
// hands out until the pass acks it; when the pass ends (or the process dies)
// the channel closes and RabbitMQ returns what was not acked to the queue, in
// its order. Reading therefore consumes nothing, and a
// message leaves the DLQ only when its visitor said so, after what had to
// happen first (a confirmed replay) happened.

#include <functional>
#include <memory>

#include "ops/dlq_message.hpp"
#include "rabbitmq/amqp_connection.hpp"

namespace workstream::amqp {
class RabbitPublisher;
}

namespace workstream::ops {

enum class Verdict {
  keep,    // stays where it is
  remove,  // acked: gone from the DLQ
};

// Visits the messages of `consumer`'s DLQ, oldest first: at most as many as
// it held when the pass began, so messages dead-lettered meanwhile are not
// visited again and again. Throws amqp::AmqpError when the DLQ does not
// exist, Unavailable when the broker cannot be reached or drops us.
void passOverDlq(const amqp::ConnectionOptions& options, const events::ConsumerQueue& consumer,
                 const std::function<Verdict(const DlqMessage&)>& visit);

// Sends replay copies back to their consumer's queue on a confirm-mode
// channel of its own. `send` returns once RabbitMQ confirmed the copy as
// routed and stored; it throws (Unavailable, AmqpError) otherwise, and then
// the original must stay in the DLQ.
class Replayer {
 public:
  Replayer(const amqp::ConnectionOptions& options, std::chrono::milliseconds confirmTimeout);
  ~Replayer();
  Replayer(const Replayer&) = delete;
  Replayer& operator=(const Replayer&) = delete;

  void send(const DlqMessage& message);

 private:
  std::unique_ptr<amqp::RabbitPublisher> publisher_;
};

}  // namespace workstream::ops
