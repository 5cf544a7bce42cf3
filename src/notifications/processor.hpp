#pragma once

#include <vector>

#include "events/event_router.hpp"
#include "workstream/core/log.hpp"
#include "workstream/events/consumer.hpp"
#include "workstream/events/envelope.hpp"
#include "workstream/notifications/mail_requests.hpp"
#include "workstream/notifications/ports.hpp"

namespace workstream::notifications {

// The name space of the ids of mail requests derived from task events.
constexpr std::string_view kMailRequestNamespace = "9b6f3a52-7c1e-5d0a-8f4b-2e6c1a9d7e30";

// Processes task events, idempotently, one or a batch that arrived together.
// The steps are ordered so that a crash between any two loses nothing and
// doubles nothing; a batch takes each step for all its events at once (one
// round trip to each server):
//   1. Redis knows the event: done (already processed).
//   2. Record it in MongoDB (a duplicate key means recorded before).
//   3. If the task names an assignee, request a mail, with an id derived
//      from the event's (UUID v5), so a repeat is the same request.
//   4. Remember the event in Redis for 24 hours.
//   5. Done: the runtime acks.
// A server that is down throws Unavailable, which the consumer runtime makes
// a retry of the whole batch: never ack-and-drop.
class NotificationProcessor {
 public:
  NotificationProcessor(DedupStore& dedup, RecordStore& records, MailRequests& mail, Clock clock,
                        Logger log)
      : dedup_(dedup),
        records_(records),
        mail_(mail),
        clock_(std::move(clock)),
        log_(std::move(log)) {}

  events::Outcome process(const events::Envelope& event, const events::Delivery& delivery);
  std::vector<events::Outcome> processAll(const std::vector<events::RoutedEvent>& events);

  // The mail request an event calls for, if its task names an assignee.
  static std::optional<MailRequest> mailFor(const events::Envelope& event);

 private:
  DedupStore& dedup_;
  RecordStore& records_;
  MailRequests& mail_;
  Clock clock_;
  Logger log_;
};

}  // namespace workstream::notifications
