#pragma once

#include <chrono>
#include <string>

#include "workstream/core/metrics.hpp"
#include "workstream/mailer/mail.hpp"

namespace workstream::mailer {

struct SendResult {
  enum class Kind { sent, transient, permanent };
  Kind kind = Kind::sent;
  std::string detail;  // the server's reply, or why it could not be reached
};

// Hands a mail to a mail server.
class MailSender {
 public:
  virtual ~MailSender() = default;
  virtual SendResult send(const Mail& mail) = 0;
};

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

enum class StartTls { off, opportunistic, required };

// MailSender over SMTP with libcurl: one connection per mail, optional
// STARTTLS, credentials from the URL's userinfo. Connection failures,
// timeouts and 4xx replies are transient; 5xx replies are permanent.
class CurlSmtpSender final : public MailSender {
 public:
  CurlSmtpSender(std::string url, StartTls tls, std::chrono::milliseconds timeout)
      : url_(std::move(url)), tls_(tls), timeout_(timeout) {}
  SendResult send(const Mail& mail) override;

 private:
  std::string url_;
  StartTls tls_;
  std::chrono::milliseconds timeout_;
};

}  // namespace workstream::mailer
