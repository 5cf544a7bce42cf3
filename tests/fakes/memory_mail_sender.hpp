#pragma once

#include <map>
#include <mutex>
#include <vector>

#include "workstream/mailer/mail_sender.hpp"

namespace workstream::fakes {

// MailSender in memory: keeps each mail as composed for the wire, per
// recipient, like the SMTP sink's mailbox. A recipient can be refused, for
// good (5xx) or for now (4xx), and the server can be down (transient).
// tests/contracts/mail_sender_contract.hpp holds it and the SMTP sender to
// the same outcomes.
class MemoryMailSender final : public mailer::MailSender {
 public:
  struct Received {
    std::string mailFrom;
    std::vector<std::string> rcptTo;
    std::string message;  // as composeMessage makes it
  };

  mailer::SendResult send(const mailer::Mail& mail) override {
    std::lock_guard lock(mutex_);
    if (down_) return {mailer::SendResult::Kind::transient, "Couldn't connect to server"};
    for (const auto& address : mail.to) {
      auto refusal = refused_.find(address);
      if (refusal != refused_.end()) return refusal->second;
    }
    received_.push_back({mail.from, mail.to, mailer::composeMessage(mail)});
    return {mailer::SendResult::Kind::sent, "250 Message accepted for delivery"};
  }

  void refuse(const std::string& address, mailer::SendResult answer) {
    std::lock_guard lock(mutex_);
    refused_[address] = std::move(answer);
  }
  void setDown(bool down) {
    std::lock_guard lock(mutex_);
    down_ = down;
  }
  std::vector<Received> receivedFor(const std::string& address) {
    std::lock_guard lock(mutex_);
    std::vector<Received> out;
    for (const auto& mail : received_) {
      for (const auto& to : mail.rcptTo) {
        if (to == address) out.push_back(mail);
      }
    }
    return out;
  }

 private:
  std::mutex mutex_;
  bool down_ = false;
  std::map<std::string, mailer::SendResult> refused_;
  std::vector<Received> received_;
};

}  // namespace workstream::fakes
