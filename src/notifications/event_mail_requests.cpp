#include "notifications/event_mail_requests.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "workstream/core/errors.hpp"
#include "workstream/core/time.hpp"
#include "workstream/core/trace.hpp"
#include "workstream/events/contracts.hpp"
#include "workstream/events/envelope.hpp"
#include "workstream/events/topology.hpp"

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
  events::OutgoingMessage message;
  message.exchange = std::string(events::kExchange);
  message.routingKey = events::routingKeyOf(kType);
  message.messageId = request.eventId;
  message.type = std::string(kType);
  message.appId = envelope.producer;
  message.body = events::toJson(envelope);
  message.timestamp =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  if (request.traceId.size() == 32) {
    message.headers.emplace_back("traceparent",
                                 formatTraceparent(childOf({request.traceId, "", "01"})));
  }
  std::lock_guard lock(mutex_);
  if (!publisher_.publish({message}).front()) {
    throw Unavailable("the broker refused the mail request " + request.eventId);
  }
}

}  // namespace workstream::notifications
