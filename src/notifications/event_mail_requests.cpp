#include "notifications/event_mail_requests.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <set>

#include "events/event_message.hpp"
#include "workstream/core/errors.hpp"
#include "workstream/core/time.hpp"
#include "workstream/events/contracts.hpp"
#include "workstream/events/envelope.hpp"

namespace workstream::notifications {

namespace {

events::OutgoingMessage messageFor(const MailRequest& request) {
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
  return events::eventMessage(
      {.routingKey = events::routingKeyOf(kType),
       .eventId = request.eventId,
       .eventType = std::string(kType),
       .producer = envelope.producer,
       .envelopeJson = events::toJson(envelope),
       .timestamp =
           std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count(),
       .traceId = request.traceId});
}

}  // namespace

void EventMailRequests::sendAll(const std::vector<MailRequest>& requests) {
  if (requests.empty()) return;
  // One message per id: a request repeated in the batch is the same
  // request, and the publisher tells returned messages apart by id.
  std::vector<events::OutgoingMessage> messages;
  std::set<std::string_view> ids;
  for (const auto& request : requests) {
    if (ids.insert(request.eventId).second) messages.push_back(messageFor(request));
  }
  const auto confirmed = publisher_.publish(messages);
  for (std::size_t i = 0; i < messages.size(); ++i) {
    if (!confirmed[i]) {
      throw Unavailable("the broker refused the mail request " + messages[i].messageId);
    }
  }
}

}  // namespace workstream::notifications
