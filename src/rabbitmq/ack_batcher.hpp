#pragma once

#include <cstdint>
#include <set>
#include <vector>

namespace workstream::amqp {

// Which basic.ack frames settle the deliveries of one channel whose effects
// are durable. An ack with multiple=true settles every unsettled delivery up
// to its tag, so it is sent only for a run that starts at the oldest
// unsettled delivery and holds nothing else: a delivery still being handled,
// or left unacknowledged for the broker to redeliver (shutdown), is never
// covered. Other ready deliveries get an ack of their own. One channel, one
// thread; reset() when the channel is new.
class AckBatcher {
 public:
  struct Ack {
    std::uint64_t tag;
    bool multiple;
    bool operator==(const Ack&) const = default;
  };

  // The broker handed the delivery out: it is unsettled until acked or
  // forgotten.
  void delivered(std::uint64_t tag) { unsettled_.insert(tag); }
  // Its side effects are durable: ack it with the next take().
  void ready(std::uint64_t tag) { ready_.insert(tag); }
  // Settled otherwise (a nack already sent).
  void forget(std::uint64_t tag);
  // The acks for every ready delivery, in the order to send them.
  std::vector<Ack> take();
  void reset();

 private:
  std::set<std::uint64_t> unsettled_;
  std::set<std::uint64_t> ready_;
};

}  // namespace workstream::amqp
