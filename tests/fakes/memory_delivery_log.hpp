#pragma once

#include <map>
#include <mutex>

#include "workstream/mailer/delivery_log.hpp"

namespace workstream::fakes {

// DeliveryLog in memory. Like the Redis hash, each write sets its own fields
// and keeps the others: a send after a failure still shows that failure.
// tests/contracts/delivery_log_contract.hpp holds it and Redis to that.
class MemoryDeliveryLog final : public mailer::DeliveryLog {
 public:
  void sent(const std::string& eventId, const std::string& requestedAt, Timestamp at,
            const std::string& messageId) override {
    std::lock_guard lock(mutex_);
    auto& record = records_[eventId];
    record.requestedAt = requestedAt;
    record.sentAt = formatRfc3339(at);
    record.messageId = messageId;
  }

  void failed(const std::string& eventId, const std::string& requestedAt,
              const mailer::DeliveryFailure& failure) override {
    std::lock_guard lock(mutex_);
    auto& record = records_[eventId];
    record.requestedAt = requestedAt;
    record.failedAt = formatRfc3339(failure.at);
    record.errorCode = failure.errorCode;
    record.errorMessage = failure.errorMessage;
    record.attempt = failure.attempt;
    record.deadLettered = failure.deadLettered;
  }

  std::optional<mailer::DeliveryRecord> find(const std::string& eventId) override {
    std::lock_guard lock(mutex_);
    auto it = records_.find(eventId);
    if (it == records_.end()) return std::nullopt;
    return it->second;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, mailer::DeliveryRecord> records_;
};

}  // namespace workstream::fakes
