#pragma once

#include <mutex>
#include <set>
#include <string>

#include "workstream/core/log.hpp"
#include "workstream/events/consumer.hpp"
#include "workstream/events/dedup_store.hpp"
#include "workstream/events/envelope.hpp"
#include "workstream/mailer/delivery_log.hpp"
#include "workstream/mailer/mail_sender.hpp"

namespace workstream::mailer {

struct MailerOptions {
  std::string from;
  std::size_t maxBodyBytes = 1024 * 1024;
  std::chrono::seconds claimFor{60};  // longer than a send can take
};

// Delivers workstream.mail.send.v1 once per event id:
//   1. Redis knows the request was mailed: done.
//   2. Check it: a request that can never be mailed is poison (the DLQ).
//   3. Claim it in Redis (for `claimFor`), so a copy on another handler
//      thread or process does not send it too: that copy retries, and is
//      done once the request is marked mailed.
//   4. Send it: failures release the claim; transient ones retry, permanent
//      ones (5xx) are poison carrying the server's reply.
//   5. Mark it mailed, then done. If Redis fails here the mail is sent all
//      the same: done, with a warning, rather than a retry that mails twice.
//      The process remembers the id: a copy that comes meanwhile is done,
//      and the mark is made at the next delivery after Redis is back.
// What remains: a crash (kill -9) between the SMTP reply and step 5, or the
// process ending while a failed mark is only remembered (Redis away), leaves
// the claim without a mark. A redelivered copy retries until the claim
// expires and then sends the mail again (with the default settings the claim
// lasts 11 s and the retries about 15 s); if its retries run out first it
// goes to the DLQ as MAIL_IN_PROGRESS, from where it can be replayed. The
// Message-ID, derived from the event id, lets mail systems see a repeat.
// Each send and each failure is also written to the DeliveryLog, best
// effort: its failures are logged and change no outcome.
class MailerProcessor {
 public:
  MailerProcessor(events::DedupStore& mailed, DeliveryLog& deliveries, MailSender& sender,
                  MailerOptions options, Clock clock, Logger log)
      : mailed_(mailed),
        deliveries_(deliveries),
        sender_(sender),
        options_(std::move(options)),
        clock_(std::move(clock)),
        log_(std::move(log)) {}

  events::Outcome process(const events::Envelope& request, const events::Delivery& delivery);

 private:
  events::Outcome attempt(const events::Envelope& request);
  events::Outcome deliver(const Mail& mail, const std::string& requestedAt);
  void noteFailure(const events::Envelope& request, const events::Delivery& delivery,
                   const events::Outcome& outcome);
  void releaseClaim(const std::string& eventId, const std::string& traceId);
  bool isPending(const std::string& eventId);
  void markPending();

  // Sent mails whose mark failed, to be marked once Redis answers again.
  static constexpr std::size_t kMaxPendingMarks = 10'000;

  events::DedupStore& mailed_;
  DeliveryLog& deliveries_;
  MailSender& sender_;
  MailerOptions options_;
  Clock clock_;
  Logger log_;
  std::mutex pendingMutex_;
  std::set<std::string> pending_;
};

}  // namespace workstream::mailer
