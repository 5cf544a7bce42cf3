#pragma once

#include <optional>
#include <string>

#include "workstream/core/time.hpp"

namespace workstream::mailer {

// What the mailer knows about one mail request's delivery. Times are RFC 3339
// text as written; empty when that step has not happened.
struct DeliveryRecord {
  std::string requestedAt;  // the request's occurred_at: when notifications published it
  std::string sentAt;       // the SMTP server accepted the mail
  std::string messageId;
  std::string failedAt;  // the last failed attempt, if any
  std::string errorCode;
  std::string errorMessage;
  int attempt = 0;            // of the last failure
  bool deadLettered = false;  // the last failure was final (poison)
};

struct DeliveryFailure {
  Timestamp at;
  std::string errorCode;
  std::string errorMessage;
  int attempt = 1;
  bool deadLettered = false;
};

// Per mail-request event id, when it was sent and with which Message-ID, and
// its last failure: for `workstream trace`. Entries expire with the dedup
// marks. Writers treat it as best effort: adapters throw Unavailable, and the
// mailer logs that and carries on, so it never stands in the way of a mail.
class DeliveryLog {
 public:
  virtual ~DeliveryLog() = default;
  virtual void sent(const std::string& eventId, const std::string& requestedAt, Timestamp at,
                    const std::string& messageId) = 0;
  virtual void failed(const std::string& eventId, const std::string& requestedAt,
                      const DeliveryFailure& failure) = 0;
  virtual std::optional<DeliveryRecord> find(const std::string& eventId) = 0;
};

}  // namespace workstream::mailer
