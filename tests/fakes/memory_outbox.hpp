#pragma once

// The outbox and the event publisher in memory, for tests of the relay's
// logic: what it publishes, in what order, what it marks, how it recovers.
// tests/contracts/outbox_contract.hpp and event_publisher_contract.hpp hold
// them and the Postgres and RabbitMQ adapters to the same behaviour.
// Leadership here is a switch (`leader`), not a lock between stores.

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <vector>

#include "workstream/core/errors.hpp"
#include "workstream/events/publisher.hpp"
#include "workstream/tasks/outbox.hpp"

namespace workstream::fakes {

class MemoryOutbox final : public tasks::OutboxStore {
 public:
  // Writes an event, as a committed transaction would, and notifies unless
  // told not to (as the tasks service's own sessions do not).
  void add(tasks::PendingEvent event, bool notify = true) {
    std::lock_guard lock(mutex_);
    event.position = ++last_;
    const auto now = systemNow();
    if (event.createdAtSeconds == 0 && event.createdAtMicros == 0) {
      const auto since = now.time_since_epoch();
      event.createdAtMicros = std::chrono::duration_cast<std::chrono::microseconds>(since).count();
      event.createdAtSeconds = std::chrono::duration_cast<std::chrono::seconds>(since).count();
    }
    rows_[event.position] = {std::move(event), now, std::nullopt};
    if (!notify) return;
    ++notifications_;
    written_.notify_all();
  }

  std::vector<std::int64_t> published() {
    std::lock_guard lock(mutex_);
    std::vector<std::int64_t> out;
    for (const auto& [position, row] : rows_) {
      if (row.publishedAt) out.push_back(position);
    }
    return out;
  }

  std::atomic<bool> leader{true};  // may be switched while a relay runs

  bool lead() override { return leader; }

  std::vector<tasks::PendingEvent> pending(int limit) override {
    std::lock_guard lock(mutex_);
    std::vector<tasks::PendingEvent> out;
    for (const auto& [position, row] : rows_) {
      if (row.publishedAt) continue;
      if (static_cast<int>(out.size()) == limit) break;
      out.push_back(row.event);
    }
    return out;
  }

  void markPublished(const std::vector<std::int64_t>& positions, Timestamp sentAt) override {
    std::lock_guard lock(mutex_);
    for (auto position : positions) {
      auto it = rows_.find(position);
      if (it != rows_.end()) it->second.publishedAt = sentAt;
    }
  }

  void waitForEvents(std::chrono::milliseconds timeout) override {
    std::unique_lock lock(mutex_);
    const auto seen = notifications_;
    written_.wait_for(lock, timeout, [&] { return notifications_ != seen || woken_; });
    woken_ = false;
  }

  void wake() override {
    {
      std::lock_guard lock(mutex_);
      woken_ = true;
    }
    written_.notify_all();
  }

  // One store is the whole database here: the leader is whoever waits.
  void notifyLeader() override {
    {
      std::lock_guard lock(mutex_);
      ++leaderNotified_;
    }
    wake();
  }

  int leaderNotified() {
    std::lock_guard lock(mutex_);
    return leaderNotified_;
  }

  tasks::OutboxStats stats() override {
    std::lock_guard lock(mutex_);
    tasks::OutboxStats out;
    std::optional<Timestamp> oldest;
    for (const auto& [position, row] : rows_) {
      if (row.publishedAt) continue;
      ++out.pending;
      if (!oldest) oldest = row.writtenAt;
    }
    if (oldest)
      out.oldestPendingSeconds = std::chrono::duration<double>(systemNow() - *oldest).count();
    return out;
  }

  std::int64_t prune(std::chrono::milliseconds retention, int limit) override {
    std::lock_guard lock(mutex_);
    const auto before = systemNow() - retention;
    std::int64_t pruned = 0;
    for (auto it = rows_.begin(); it != rows_.end() && pruned < limit;) {
      if (it->second.publishedAt && *it->second.publishedAt < before) {
        it = rows_.erase(it);
        ++pruned;
      } else {
        ++it;
      }
    }
    return pruned;
  }

  void reset() override {}

 private:
  struct Row {
    tasks::PendingEvent event;
    Timestamp writtenAt;
    std::optional<Timestamp> publishedAt;
  };
  std::mutex mutex_;
  std::condition_variable written_;
  std::map<std::int64_t, Row> rows_;
  std::int64_t last_ = 0;
  std::int64_t notifications_ = 0;
  bool woken_ = false;
  int leaderNotified_ = 0;
};

// Confirms what it is given, in order, unless told to refuse a routing key
// (the broker's "unroutable") or to be down (Unavailable).
class RecordingPublisher final : public events::EventPublisher {
 public:
  std::vector<bool> publish(const std::vector<events::OutgoingMessage>& batch) override {
    std::lock_guard lock(mutex_);
    if (down_) throw Unavailable("RabbitMQ: connection refused");
    std::vector<bool> confirmed;
    for (const auto& message : batch) {
      const bool ok = !refused_.count(message.routingKey);
      if (ok) confirmed_.push_back(message);
      confirmed.push_back(ok);
    }
    return confirmed;
  }

  void setDown(bool down) {
    std::lock_guard lock(mutex_);
    down_ = down;
  }
  void refuse(const std::string& routingKey, bool refuse) {
    std::lock_guard lock(mutex_);
    if (refuse) {
      refused_.insert(routingKey);
    } else {
      refused_.erase(routingKey);
    }
  }
  std::vector<events::OutgoingMessage> confirmed() {
    std::lock_guard lock(mutex_);
    return confirmed_;
  }

 private:
  std::mutex mutex_;
  bool down_ = false;
  std::set<std::string> refused_;
  std::vector<events::OutgoingMessage> confirmed_;
};

}  // namespace workstream::fakes
