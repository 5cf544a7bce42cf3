#pragma once

// TaskStore in memory, for tests of the logic above it without a server.
// `beforeEach`, when set, runs at the start of every operation: a test makes
// the store fail (throw) or slow (block) there.

#include <algorithm>
#include <functional>
#include <map>
#include <mutex>
#include <tuple>
#include <vector>

#include "workstream/tasks/task_store.hpp"

namespace workstream::fakes {

class MemoryTaskStore final : public tasks::TaskStore {
 public:
  std::function<void()> beforeEach;

  Created create(const tasks::Task& task, const tasks::OutboxEvent& event,
                 const std::optional<std::string>& idempotencyKey) override {
    enter();
    std::lock_guard lock(mutex_);
    if (idempotencyKey) {
      auto seen = keys_.find(*idempotencyKey);
      if (seen != keys_.end()) return {tasks_.at(seen->second), true};
      keys_[*idempotencyKey] = task.id;
    }
    tasks_[task.id] = task;
    outbox_.push_back(event);
    return {task, false};
  }

  std::optional<tasks::Task> get(const std::string& id) override {
    enter();
    std::lock_guard lock(mutex_);
    auto it = tasks_.find(id);
    if (it == tasks_.end()) return std::nullopt;
    return it->second;
  }

  std::vector<tasks::Task> list(const tasks::StoreQuery& query) override {
    enter();
    std::lock_guard lock(mutex_);
    std::vector<tasks::Task> all;
    for (const auto& [id, task] : tasks_) {
      if (query.status && task.status != *query.status) continue;
      if (query.after && !newerFirst(*query.after, task)) continue;
      all.push_back(task);
    }
    std::sort(all.begin(), all.end(), [](const tasks::Task& a, const tasks::Task& b) {
      return std::tie(a.createdAt, a.id) > std::tie(b.createdAt, b.id);
    });
    if (all.size() > static_cast<std::size_t>(query.limit)) all.resize(query.limit);
    return all;
  }

  Completed complete(
      const std::string& id, Timestamp at,
      const std::function<tasks::OutboxEvent(const tasks::Task&)>& makeEvent) override {
    enter();
    std::lock_guard lock(mutex_);
    auto it = tasks_.find(id);
    if (it == tasks_.end()) return {Completion::notFound, std::nullopt};
    if (it->second.status == tasks::TaskStatus::completed) {
      return {Completion::alreadyCompleted, std::nullopt};
    }
    it->second.status = tasks::TaskStatus::completed;
    it->second.updatedAt = at;
    it->second.completedAt = at;
    outbox_.push_back(makeEvent(it->second));
    return {Completion::completed, it->second};
  }

  std::vector<tasks::OutboxEvent> outbox() {
    std::lock_guard lock(mutex_);
    return outbox_;
  }

  int calls() {
    std::lock_guard lock(mutex_);
    return calls_;
  }

 private:
  void enter() {
    {
      std::lock_guard lock(mutex_);
      ++calls_;
    }
    if (beforeEach) beforeEach();
  }

  // Whether `task` comes after `cursor` in newest-first order.
  static bool newerFirst(const tasks::PageCursor& cursor, const tasks::Task& task) {
    return std::tie(task.createdAt, task.id) < std::tie(cursor.createdAt, cursor.id);
  }

  std::mutex mutex_;
  std::map<std::string, tasks::Task> tasks_;
  std::map<std::string, std::string> keys_;
  std::vector<tasks::OutboxEvent> outbox_;
  int calls_ = 0;
};

}  // namespace workstream::fakes
