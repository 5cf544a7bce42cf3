#pragma once

#include <chrono>
#include <string>

#include "workstream/core/config.hpp"
#include "workstream/mailer/mail_sender.hpp"

namespace workstream::mailer {

// The setting itself (WORKSTREAM_SMTP_STARTTLS): no second enum to convert to.
using workstream::StartTls;

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
