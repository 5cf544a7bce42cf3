#pragma once

// The messaging topology of seed 000: one topic exchange, and for each
// consumer a queue, its dead-letter queue, and the delay queues its retries
// wait in.

#include <string>
#include <string_view>
#include <vector>

namespace workstream::events {

constexpr std::string_view kExchange = "workstream.events";

struct ConsumerQueue {
  std::string name;        // e.g. workstream.notifications
  std::string bindingKey;  // e.g. workstream.task.*

  std::string deadLetterQueue() const { return name + ".dlq"; }
  // Retry tier 1, 2, ...: messages wait there, then return to `name`.
  std::string retryQueue(int tier) const { return name + ".retry." + std::to_string(tier); }
};

const ConsumerQueue& notificationsQueue();
const ConsumerQueue& mailerQueue();
std::vector<ConsumerQueue> consumerQueues();

}  // namespace workstream::events
