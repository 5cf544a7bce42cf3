#pragma once

// The notifications module's port for asking the mailer to send a mail.

#include <string>
#include <vector>

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

}  // namespace workstream::notifications
