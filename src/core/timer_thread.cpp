#include "workstream/core/timer_thread.hpp"

namespace workstream {

TimerThread::TimerThread() : thread_([this] { run(); }) {}

TimerThread::~TimerThread() { stop(); }

TimerThread::Ticket TimerThread::at(Clock::time_point due, std::function<void()> callback) {
  bool earliest = false;
  Ticket ticket{due, 0};
  {
    std::lock_guard lock(mutex_);
    ticket.second = nextSequence_++;
    if (stopping_) return ticket;
    earliest = entries_.empty() || due < entries_.begin()->first.first;
    entries_.emplace(ticket, std::move(callback));
  }
  // A later entry cannot change how long the thread sleeps: no wake-up.
  if (earliest) changed_.notify_one();
  return ticket;
}

// No wake-up either: a thread sleeping until a cancelled entry's time finds
// nothing due then, and sleeps on until the next.
void TimerThread::cancel(const Ticket& ticket) {
  std::function<void()> dropped;  // destroyed outside the lock
  std::lock_guard lock(mutex_);
  if (auto it = entries_.find(ticket); it != entries_.end()) {
    dropped = std::move(it->second);
    entries_.erase(it);
  }
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
    const auto due = entries_.begin()->first.first;  // a copy: an erase may free the entry
    if (Clock::now() < due) {
      changed_.wait_until(lock, due);
      continue;
    }
    auto callback = std::move(entries_.begin()->second);
    entries_.erase(entries_.begin());
    lock.unlock();
    callback();
    lock.lock();
  }
}

}  // namespace workstream
