#include <chrono>

#include "mailer/timed_mail_sender.hpp"

namespace workstream::mailer {
namespace {

Histogram& durations(Metrics& metrics, const char* result) {
  return metrics.histogram("workstream_smtp_send_duration_seconds",
                           "Time one mail took to hand to the SMTP server (connect included), "
                           "by result",
                           latencyBuckets(), std::string("result=\"") + result + "\"");
}

}  // namespace

TimedMailSender::TimedMailSender(MailSender& inner, Metrics& metrics)
    : inner_(inner),
      sent_(durations(metrics, "sent")),
      transient_(durations(metrics, "transient")),
      permanent_(durations(metrics, "permanent")) {}

SendResult TimedMailSender::send(const Mail& mail) {
  const auto started = std::chrono::steady_clock::now();
  auto result = inner_.send(mail);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  using Kind = SendResult::Kind;
  (result.kind == Kind::sent        ? sent_
   : result.kind == Kind::transient ? transient_
                                    : permanent_)
      .observe(seconds);
  return result;
}

}  // namespace workstream::mailer
