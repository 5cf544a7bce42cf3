#pragma once

// The notifications module's port for asking the mailer to send a mail.

#include <set>
#include <string>
#include <string_view>
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
  // The same for several, in order, confirmed together; throws when any is
  // not. An id repeated in the call goes once: it is the same request.
  virtual void sendAll(const std::vector<MailRequest>& requests) {
    std::set<std::string_view> ids;
    for (const auto& request : requests) {
      if (ids.insert(request.eventId).second) send(request);
    }
  }
};

}  // namespace workstream::notifications
