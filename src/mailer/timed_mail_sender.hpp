#pragma once

#include "workstream/core/metrics.hpp"
#include "workstream/mailer/mail_sender.hpp"

namespace workstream::mailer {

// A MailSender that observes how long each send takes, by its result
// (workstream_smtp_send_duration_seconds{result="sent|transient|permanent"}).
class TimedMailSender final : public MailSender {
 public:
  TimedMailSender(MailSender& inner, Metrics& metrics);
  SendResult send(const Mail& mail) override;

 private:
  MailSender& inner_;
  Histogram &sent_, &transient_, &permanent_;
};

}  // namespace workstream::mailer
