#pragma once

#include "workstream/events/publisher.hpp"
#include "workstream/notifications/mail_requests.hpp"

namespace workstream::notifications {

// MailRequests as events on the exchange. The handler threads call it at
// once, so its publisher must take concurrent calls (the notifications role
// gives it a pool of RabbitMQ publishers; a test on one thread, one).
class EventMailRequests final : public MailRequests {
 public:
  explicit EventMailRequests(events::EventPublisher& publisher) : publisher_(publisher) {}
  void send(const MailRequest& request) override { sendAll({request}); }
  void sendAll(const std::vector<MailRequest>& requests) override;

 private:
  events::EventPublisher& publisher_;
};

}  // namespace workstream::notifications
