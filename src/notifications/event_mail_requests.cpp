#include "notifications/event_mail_requests.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "events/event_message.hpp"
#include "workstream/core/errors.hpp"
#include "workstream/core/time.hpp"
#include "workstream/events/contracts.hpp"
#include "workstream/events/envelope.hpp"

namespace workstream::notifications {

void EventMailRequests::send(const MailRequest& request) {
  constexpr std::string_view kType = events::kMailSend.type;
  boost::json::array to;
  for (const auto& address : request.to) to.emplace_back(address);
  const auto now = systemNow();
  events::Envelope envelope{request.eventId,
                            std::string(kType),
                            formatRfc3339(now),
                            std::string(events::kMailSend.producer),
                            request.traceId,
                            boost::json::serialize(boost::json::object{
                                {"to", std::move(to)},
                                {"subject", request.subject},
                                {"body", request.body},
                            })};
  const auto message = events::eventMessage(
      {.routingKey = events::routingKeyOf(kType),
       .eventId = request.eventId,
       .eventType = std::string(kType),
       .producer = envelope.producer,
       .envelopeJson = events::toJson(envelope),
       .timestamp =
           std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count(),
       .traceId = request.traceId});
  std::lock_guard lock(mutex_);
  if (!publisher_.publish({message}).front()) {
    throw Unavailable("the broker refused the mail request " + request.eventId);
  }
}

}  // namespace workstream::notifications
