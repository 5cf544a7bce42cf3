#pragma once

#include <mutex>

#include "workstream/events/publisher.hpp"
#include "workstream/notifications/mail_requests.hpp"

namespace workstream::notifications {

// MailRequests as events on the exchange, through a publisher shared by the
// handler threads (one at a time).
class EventMailRequests final : public MailRequests {
 public:
  explicit EventMailRequests(events::EventPublisher& publisher) : publisher_(publisher) {}
  void send(const MailRequest& request) override { sendAll({request}); }
  void sendAll(const std::vector<MailRequest>& requests) override;

 private:
  events::EventPublisher& publisher_;
  std::mutex mutex_;
};

}  // namespace workstream::notifications
