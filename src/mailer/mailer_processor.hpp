#pragma once

#include "mailer/mail_sender.hpp"
#include "workstream/core/log.hpp"
#include "workstream/events/consumer.hpp"
#include "workstream/events/dedup_store.hpp"
#include "workstream/events/envelope.hpp"

namespace workstream::mailer {

struct MailerOptions {
  std::string from;
  std::size_t maxBodyBytes = 1024 * 1024;
  std::chrono::seconds claimFor{60};  // longer than a send can take
};

// Delivers workstream.mail.send.v1 once per event id:
//   1. Redis knows the request was mailed: done.
//   2. Check it: a request that can never be mailed is poison (the DLQ).
//   3. Claim it in Redis, so a copy in another worker waits (retry).
//   4. Send it: transient failures release the claim and retry; permanent
//      ones (5xx) are poison carrying the server's reply.
//   5. Mark it mailed, then done. If Redis fails here the mail is sent all
//      the same: done, with a warning, rather than a retry that mails twice.
// Only a crash between 4 and 5 sends a mail twice (once the claim expires);
// its Message-ID, derived from the event id, lets mail systems see the repeat.
class MailerProcessor {
 public:
  MailerProcessor(events::DedupStore& mailed, MailSender& sender, MailerOptions options,
                  Clock clock, Logger log)
      : mailed_(mailed),
        sender_(sender),
        options_(std::move(options)),
        clock_(std::move(clock)),
        log_(std::move(log)) {}

  events::Outcome process(const events::Envelope& request, const events::Delivery& delivery);

 private:
  events::Outcome deliver(const Mail& mail);

  events::DedupStore& mailed_;
  MailSender& sender_;
  MailerOptions options_;
  Clock clock_;
  Logger log_;
};

}  // namespace workstream::mailer
