#include "rabbitmq/ack_batcher.hpp"

namespace workstream::amqp {

void AckBatcher::forget(std::uint64_t tag) {
  unsettled_.erase(tag);
  ready_.erase(tag);
}

std::vector<AckBatcher::Ack> AckBatcher::take() {
  std::vector<Ack> acks;
  std::uint64_t last = 0;
  std::size_t run = 0;
  for (auto it = unsettled_.begin(); it != unsettled_.end() && ready_.erase(*it) == 1;) {
    last = *it;
    ++run;
    it = unsettled_.erase(it);
  }
  if (run > 0) acks.push_back({last, run > 1});
  for (const auto tag : ready_) {
    acks.push_back({tag, false});
    unsettled_.erase(tag);
  }
  ready_.clear();
  return acks;
}

void AckBatcher::reset() {
  unsettled_.clear();
  ready_.clear();
}

}  // namespace workstream::amqp
