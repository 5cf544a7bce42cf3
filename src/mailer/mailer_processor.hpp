#pragma once

#include "mailer/mail_sender.hpp"
#include "workstream/core/log.hpp"
#include "workstream/events/consumer.hpp"
#include "workstream/events/envelope.hpp"
#include "workstream/notifications/ports.hpp"

namespace workstream::mailer {

struct MailerOptions {
  std::string from;
  std::size_t maxBodyBytes = 1024 * 1024;
};

// Delivers workstream.mail.send.v1 once per event id:
//   1. Redis knows the request was mailed: done.
//   2. Check it: a request that can never be mailed is poison (the DLQ).
//   3. Send it: transient failures retry, permanent ones (5xx) are poison
//      carrying the server's reply.
//   4. Remember it in Redis, then done.
// A crash between 3 and 4 sends the mail again on redelivery; its
// Message-ID, derived from the event id, lets mail systems see the repeat.
class MailerProcessor {
 public:
  MailerProcessor(notifications::DedupStore& mailed, MailSender& sender, MailerOptions options,
                  Clock clock, Logger log)
      : mailed_(mailed),
        sender_(sender),
        options_(std::move(options)),
        clock_(std::move(clock)),
        log_(std::move(log)) {}

  events::Outcome process(const events::Envelope& request, const events::Delivery& delivery);

 private:
  notifications::DedupStore& mailed_;
  MailSender& sender_;
  MailerOptions options_;
  Clock clock_;
  Logger log_;
};

}  // namespace workstream::mailer
