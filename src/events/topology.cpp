#include "workstream/events/topology.hpp"

namespace workstream::events {

const ConsumerQueue& notificationsQueue() {
  static const ConsumerQueue queue{"workstream.notifications", "workstream.task.*"};
  return queue;
}

const ConsumerQueue& mailerQueue() {
  static const ConsumerQueue queue{"workstream.mailer", "workstream.mail.*"};
  return queue;
}

std::vector<ConsumerQueue> consumerQueues() { return {notificationsQueue(), mailerQueue()}; }

}  // namespace workstream::events
