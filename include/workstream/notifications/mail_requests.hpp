#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "workstream/events/publisher.hpp"

namespace workstream::notifications {

// A request for the mailer: workstream.mail.send.v1.
struct MailRequest {
  std::string eventId;  // deterministic: derived from the event it answers
  std::vector<std::string> to;
  std::string subject;
  std::string body;
  std::string traceId;
};

class MailRequests {
 public:
  virtual ~MailRequests() = default;
  // Returns once the broker confirmed the request; throws Unavailable.
  virtual void send(const MailRequest& request) = 0;
};

// MailRequests as events on the exchange, through a publisher shared by the
// handler threads (one at a time).
class EventMailRequests final : public MailRequests {
 public:
  explicit EventMailRequests(events::EventPublisher& publisher) : publisher_(publisher) {}
  void send(const MailRequest& request) override;

 private:
  events::EventPublisher& publisher_;
  std::mutex mutex_;
};

}  // namespace workstream::notifications
