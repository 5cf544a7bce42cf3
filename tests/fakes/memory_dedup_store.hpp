#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "workstream/events/dedup_store.hpp"

namespace workstream::fakes {

// DedupStore in memory, for tests about the logic around it. Claims expire
// on the steady clock like Redis's; processed marks stay (a test outlives no
// 24-hour TTL). tests/contracts/dedup_store_contract.hpp holds it and the
// Redis adapter to the same behaviour.
class MemoryDedupStore final : public events::DedupStore {
 public:
  bool processed(const std::string& eventId) override {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(eventId);
    return it != entries_.end() && it->second.processed;
  }

  void markProcessed(const std::string& eventId) override {
    std::lock_guard lock(mutex_);
    entries_[eventId] = {true, {}};
  }

  bool claim(const std::string& eventId, std::chrono::seconds ttl) override {
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    auto it = entries_.find(eventId);
    if (it != entries_.end() && (it->second.processed || it->second.claimedUntil > now))
      return false;
    entries_[eventId] = {false, now + ttl};
    return true;
  }

  void release(const std::string& eventId) override {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(eventId);
    if (it != entries_.end() && !it->second.processed) entries_.erase(it);
  }

 private:
  struct Entry {
    bool processed = false;
    std::chrono::steady_clock::time_point claimedUntil;
  };
  std::mutex mutex_;
  std::map<std::string, Entry> entries_;
};

}  // namespace workstream::fakes
