#include "mailer/mailer_processor.hpp"

#include <boost/json/parse.hpp>

#include "workstream/core/errors.hpp"

namespace workstream::mailer {

events::Outcome MailerProcessor::process(const events::Envelope& request, const events::Delivery&) {
  try {
    if (mailed_.processed(request.eventId)) return events::Outcome::ok();
    // The router checked the payload's shape: to is an array of strings.
    const auto payload = boost::json::parse(request.payloadJson).as_object();
    Mail mail;
    mail.eventId = request.eventId;
    mail.from = options_.from;
    for (const auto& address : payload.at("to").as_array())
      mail.to.emplace_back(address.as_string());
    mail.subject = std::string(payload.at("subject").as_string());
    mail.body = std::string(payload.at("body").as_string());
    mail.traceId = request.traceId;
    mail.date = clock_();
    if (auto problem = checkMail(mail, options_.maxBodyBytes)) {
      return events::Outcome::poison("INVALID_MAIL", *problem);
    }
    const auto result = sender_.send(mail);
    if (result.kind == SendResult::Kind::permanent) {
      return events::Outcome::poison("SMTP_REJECTED", result.detail);
    }
    if (result.kind == SendResult::Kind::transient) {
      return events::Outcome::retryLater("SMTP_UNAVAILABLE", result.detail);
    }
    mailed_.markProcessed(request.eventId);
    log_.info("mail sent", {{"event_id", request.eventId},
                            {"trace_id", request.traceId},
                            {"recipients", std::to_string(mail.to.size())}});
    return events::Outcome::ok();
  } catch (const Unavailable& e) {
    return events::Outcome::retryLater("DEPENDENCY_UNAVAILABLE", e.what());
  }
}

}  // namespace workstream::mailer
