#pragma once

// The mailer's port to a mail server. A send is one attempt: the adapter
// does not retry; the mailer turns a transient result into a retry of the
// request and a permanent one into a dead letter.

#include <string>

#include "workstream/mailer/mail.hpp"

namespace workstream::mailer {

struct SendResult {
  enum class Kind { sent, transient, permanent };
  Kind kind = Kind::sent;
  std::string detail;  // the server's reply, or why it could not be reached
};

// Hands a mail to a mail server.
class MailSender {
 public:
  virtual ~MailSender() = default;
  virtual SendResult send(const Mail& mail) = 0;
};

}  // namespace workstream::mailer
