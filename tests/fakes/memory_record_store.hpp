#pragma once

#include <algorithm>
#include <mutex>
#include <vector>

#include "workstream/notifications/ports.hpp"

namespace workstream::fakes {

// RecordStore in memory: unique by event id, listed newest first (received
// at, then event id, descending) with the same filters and cursor as the
// MongoDB adapter; tests/contracts/record_store_contract.hpp holds both to
// that. Received times keep the adapter's precision: milliseconds.
class MemoryRecordStore final : public notifications::RecordStore {
 public:
  bool insert(const notifications::NotificationRecord& record) override {
    std::lock_guard lock(mutex_);
    if (findLocked(record.eventId)) return false;
    auto kept = record;
    kept.receivedAt = std::chrono::floor<std::chrono::milliseconds>(record.receivedAt);
    kept.processedAt = std::chrono::floor<std::chrono::milliseconds>(record.processedAt);
    records_.push_back(std::move(kept));
    return true;
  }

  std::optional<notifications::NotificationRecord> find(const std::string& eventId) override {
    std::lock_guard lock(mutex_);
    return findLocked(eventId);
  }

  std::vector<notifications::NotificationRecord> list(
      const notifications::RecordQuery& query) override {
    std::lock_guard lock(mutex_);
    std::vector<notifications::NotificationRecord> out;
    for (const auto& r : records_) {
      if (query.eventType && r.eventType != *query.eventType) continue;
      if (query.taskId && r.taskId != *query.taskId) continue;
      if (query.since && r.receivedAt < *query.since) continue;
      if (query.after && std::pair(r.receivedAt, r.eventId) >= *query.after) continue;
      out.push_back(r);
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
      return std::pair(a.receivedAt, a.eventId) > std::pair(b.receivedAt, b.eventId);
    });
    if (out.size() > static_cast<std::size_t>(query.limit)) out.resize(query.limit);
    return out;
  }

 private:
  std::optional<notifications::NotificationRecord> findLocked(const std::string& eventId) const {
    for (const auto& r : records_) {
      if (r.eventId == eventId) return r;
    }
    return std::nullopt;
  }

  std::mutex mutex_;
  std::vector<notifications::NotificationRecord> records_;
};

}  // namespace workstream::fakes
