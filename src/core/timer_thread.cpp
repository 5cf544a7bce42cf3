#include "workstream/core/timer_thread.hpp"

namespace workstream {

TimerThread::TimerThread() : thread_([this] { run(); }) {}

TimerThread::~TimerThread() { stop(); }

void TimerThread::at(Clock::time_point due, std::function<void()> callback) {
  bool earliest = false;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    earliest = entries_.empty() || due < entries_.top().due;
    entries_.push({due, nextSequence_++, std::move(callback)});
  }
  // A later entry cannot change how long the thread sleeps: no wake-up.
  if (earliest) changed_.notify_one();
}

void TimerThread::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_one();
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mutex_);
  entries_ = {};
}

void TimerThread::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (entries_.empty()) {
      changed_.wait(lock);
      continue;
    }
    const auto due = entries_.top().due;  // a copy: a push may move the entry
    if (Clock::now() < due) {
      changed_.wait_until(lock, due);
      continue;
    }
    // top() is const, but the callback takes no part in the ordering: moving
    // it out before pop() leaves the heap intact.
    auto callback = std::move(const_cast<Entry&>(entries_.top()).callback);
    entries_.pop();
    lock.unlock();
    callback();
    lock.lock();
  }
}

}  // namespace workstream
