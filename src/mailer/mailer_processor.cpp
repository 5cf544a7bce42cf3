#include "mailer/mailer_processor.hpp"

#include <boost/json/parse.hpp>

#include "events/failure_routing.hpp"
#include "workstream/core/errors.hpp"

namespace workstream::mailer {
namespace {

// The contract's trace id: 32 lowercase hex digits. Anything else (a CR LF
// and a header of its own, say) stays out of the message's headers.
bool contractTraceId(std::string_view id) {
  return id.size() == 32 && id.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

// The router checked the payload's shape: to is an array of strings.
Mail mailOf(const events::Envelope& request, const std::string& from, Timestamp date) {
  const auto payload = boost::json::parse(request.payloadJson).as_object();
  Mail mail;
  mail.eventId = request.eventId;
  mail.from = from;
  for (const auto& address : payload.at("to").as_array()) mail.to.emplace_back(address.as_string());
  mail.subject = std::string(payload.at("subject").as_string());
  mail.body = std::string(payload.at("body").as_string());
  if (contractTraceId(request.traceId)) mail.traceId = request.traceId;
  mail.date = date;
  return mail;
}

}  // namespace

events::Outcome MailerProcessor::process(const events::Envelope& request,
                                         const events::Delivery& delivery) {
  events::Outcome outcome;
  try {
    outcome = attempt(request);
  } catch (...) {
    // The runtime makes the exception a retry; the log records it as such.
    noteFailure(request, delivery, events::failureOutcome(std::current_exception()));
    throw;
  }
  if (outcome.kind != events::Outcome::Kind::done) noteFailure(request, delivery, outcome);
  return outcome;
}

events::Outcome MailerProcessor::attempt(const events::Envelope& request) {
  markPending();
  if (isPending(request.eventId)) return events::Outcome::ok();  // sent, not marked yet
  const Mail mail = mailOf(request, options_.from, clock_());
  if (mailed_.processed(mail.eventId)) return events::Outcome::ok();
  if (auto problem = checkMail(mail, options_.maxBodyBytes)) {
    return events::Outcome::poison("INVALID_MAIL", *problem);
  }
  // The claim is what keeps a second copy of the request (a republish after
  // a lost confirm, on another handler thread) from sending it too.
  if (!mailed_.claim(mail.eventId, options_.claimFor)) {
    if (mailed_.processed(mail.eventId)) return events::Outcome::ok();
    return events::Outcome::retryLater("MAIL_IN_PROGRESS",
                                       "another worker holds the claim on this request");
  }
  return deliver(mail, request.occurredAt);
}

events::Outcome MailerProcessor::deliver(const Mail& mail, const std::string& requestedAt) {
  const auto result = sender_.send(mail);
  if (result.kind != SendResult::Kind::sent) {
    releaseClaim(mail.eventId, mail.traceId);
    if (result.kind == SendResult::Kind::permanent) {
      return events::Outcome::poison("SMTP_REJECTED", result.detail);
    }
    return events::Outcome::retryLater("SMTP_UNAVAILABLE", result.detail);
  }
  try {
    mailed_.markProcessed(mail.eventId);
  } catch (const Unavailable& e) {
    // Retrying would send the mail again. The claim holds copies off until it
    // expires; the mark is made later, from memory (markPending).
    log_.warn("mail sent but not marked mailed",
              {{"event_id", mail.eventId}, {"trace_id", mail.traceId}, {"error", e.what()}});
    std::lock_guard lock(pendingMutex_);
    if (pending_.size() >= kMaxPendingMarks) pending_.erase(pending_.begin());
    pending_.insert(mail.eventId);
  }
  try {
    deliveries_.sent(mail.eventId, requestedAt, clock_(), messageIdOf(mail.eventId));
  } catch (const std::exception& e) {
    log_.warn("mail sent but its delivery not recorded",
              {{"event_id", mail.eventId}, {"trace_id", mail.traceId}, {"error", e.what()}});
  }
  log_.info("mail sent", {{"event_id", mail.eventId},
                          {"trace_id", mail.traceId},
                          {"recipients", std::to_string(mail.to.size())}});
  return events::Outcome::ok();
}

void MailerProcessor::noteFailure(const events::Envelope& request, const events::Delivery& delivery,
                                  const events::Outcome& outcome) {
  const bool final = outcome.kind == events::Outcome::Kind::poison;
  try {
    deliveries_.failed(
        request.eventId, request.occurredAt,
        {clock_(), outcome.errorCode, outcome.errorMessage, delivery.attempt, final});
  } catch (const std::exception& e) {
    log_.warn("mail failure not recorded",
              {{"event_id", request.eventId}, {"trace_id", request.traceId}, {"error", e.what()}});
  }
}

bool MailerProcessor::isPending(const std::string& eventId) {
  std::lock_guard lock(pendingMutex_);
  return pending_.count(eventId) != 0;
}

// Marks the mails sent while Redis was away, now that it may be back; each
// stays pending (and its copies done) until its mark is made.
void MailerProcessor::markPending() {
  std::vector<std::string> ids;
  {
    std::lock_guard lock(pendingMutex_);
    if (pending_.empty()) return;
    ids.assign(pending_.begin(), pending_.end());
  }
  try {
    for (const auto& id : ids) {
      mailed_.markProcessed(id);
      std::lock_guard lock(pendingMutex_);
      pending_.erase(id);
    }
  } catch (const Unavailable&) {
    // Still away: the next delivery tries again.
  }
}

// A claim that cannot be released expires on its own; the retry waits for it.
void MailerProcessor::releaseClaim(const std::string& eventId, const std::string& traceId) {
  try {
    mailed_.release(eventId);
  } catch (const Unavailable& e) {
    log_.warn("cannot release a mail claim",
              {{"event_id", eventId}, {"trace_id", traceId}, {"error", e.what()}});
  }
}

}  // namespace workstream::mailer
