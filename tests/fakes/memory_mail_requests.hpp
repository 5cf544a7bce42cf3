#pragma once

#include <mutex>
#include <vector>

#include "workstream/core/errors.hpp"
#include "workstream/notifications/mail_requests.hpp"

namespace workstream::fakes {

// MailRequests in memory: keeps what it was given, in order, or throws
// Unavailable while down. tests/contracts/mail_requests_contract.hpp holds it
// and the requests as events on RabbitMQ to the same outcomes.
class MemoryMailRequests final : public notifications::MailRequests {
 public:
  void send(const notifications::MailRequest& request) override {
    std::lock_guard lock(mutex_);
    if (down_) throw Unavailable("RabbitMQ: connection refused");
    sent_.push_back(request);
  }

  void setDown(bool down) {
    std::lock_guard lock(mutex_);
    down_ = down;
  }
  // What was sent since the last call, in order.
  std::vector<notifications::MailRequest> take() {
    std::lock_guard lock(mutex_);
    return std::exchange(sent_, {});
  }

 private:
  std::mutex mutex_;
  bool down_ = false;
  std::vector<notifications::MailRequest> sent_;
};

}  // namespace workstream::fakes
