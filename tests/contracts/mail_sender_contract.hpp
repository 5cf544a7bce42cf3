#pragma once

// The MailSender contract (src/mailer/mail_sender.hpp), run against every
// adapter: the in-memory fake in the unit tests, the curl SMTP sender and the
// local SMTP sink in the integration tests.
#include <catch2/catch.hpp>
#include <functional>

#include "fakes/memory_mail_sender.hpp"
#include "workstream/core/uuid.hpp"
#include "workstream/mailer/mail_sender.hpp"

namespace workstream::contracts {

using ReceivedMail = fakes::MemoryMailSender::Received;

struct MailSenderHarness {
  mailer::MailSender& sender;
  // The mails the server accepted with `address` among the envelope's recipients.
  std::function<std::vector<ReceivedMail>(const std::string& address)> receivedFor;
  std::string refusedForGood;  // a recipient the server refuses with a 5xx reply
  std::string refusedForNow;   // one it refuses with a 4xx reply
};

inline mailer::Mail contractMail(std::vector<std::string> to) {
  const auto id = newUuid();
  return {id,
          "workstream@example.com",
          std::move(to),
          "Contract: ünïcode subject",
          "Dear reader,\r\n.a line that starts with a dot\r\nBye.\r\n",
          "4bf92f3577b34da6a3ce929d0e0e4736",
          Timestamp(std::chrono::seconds(1'700'000'000))};
}

inline std::string freshAddress() { return "contract-" + newUuid().substr(0, 8) + "@example.com"; }

inline void checkMailSenderContract(MailSenderHarness& h) {
  using Kind = mailer::SendResult::Kind;

  // Sent: every recipient gets the message exactly as composed (dots and all).
  const auto a = freshAddress();
  const auto b = freshAddress();
  const auto mail = contractMail({a, b});
  const auto result = h.sender.send(mail);
  CHECK(result.kind == Kind::sent);
  CHECK(result.detail.rfind("250", 0) == 0);
  for (const auto& address : {a, b}) {
    const auto got = h.receivedFor(address);
    REQUIRE(got.size() == 1);
    CHECK(got[0].mailFrom == mail.from);
    CHECK(got[0].rcptTo == mail.to);
    CHECK(got[0].message == mailer::composeMessage(mail));
  }

  // Refused for good: permanent, with the server's reply; nothing delivered.
  const auto refused = h.sender.send(contractMail({h.refusedForGood}));
  CHECK(refused.kind == Kind::permanent);
  CHECK(refused.detail.rfind("550", 0) == 0);
  CHECK(h.receivedFor(h.refusedForGood).empty());

  // Refused for now: transient, with the server's reply; nothing delivered.
  const auto later = h.sender.send(contractMail({h.refusedForNow}));
  CHECK(later.kind == Kind::transient);
  CHECK(later.detail.rfind("451", 0) == 0);
  CHECK(h.receivedFor(h.refusedForNow).empty());
}

// A mail server that cannot be reached is a transient failure, saying why.
inline void checkMailSenderUnreachable(mailer::MailSender& sender) {
  const auto result = sender.send(contractMail({freshAddress()}));
  CHECK(result.kind == mailer::SendResult::Kind::transient);
  CHECK_FALSE(result.detail.empty());
}

}  // namespace workstream::contracts
