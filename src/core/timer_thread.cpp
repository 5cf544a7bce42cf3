#include "workstream/core/timer_thread.hpp"

#include <pthread.h>

namespace workstream {

TimerThread::TimerThread(std::string name) : name_(std::move(name)), thread_([this] { run(); }) {}

TimerThread::~TimerThread() { stop(); }

TimerThread::Ticket TimerThread::at(Clock::time_point due, std::function<void()> callback) {
  bool earliest = false;
  Ticket ticket{due, 0};
  {
    std::lock_guard lock(mutex_);
    ticket.second = nextSequence_++;
    if (stopping_) return ticket;
    earliest = due < wakeAt_;
    if (earliest) wakeAt_ = due;
    entries_.emplace(ticket, std::move(callback));
  }
  // The thread wakes by then anyway, and finds this entry: no wake-up.
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
  pthread_setname_np(pthread_self(), name_.substr(0, 15).c_str());
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    const auto now = Clock::now();
    if (entries_.empty() || now < entries_.begin()->first.first) {
      // Until the earliest entry. With none, until the time last announced
      // if it is still ahead (its entry was cancelled: entries due after it
      // find the thread sleeping until then, and need not wake it), or
      // until an entry comes.
      wakeAt_ = !entries_.empty() ? entries_.begin()->first.first
                : wakeAt_ > now   ? wakeAt_
                                  : Clock::time_point::max();
      if (wakeAt_ == Clock::time_point::max()) {
        changed_.wait(lock);
      } else {
        changed_.wait_until(lock, wakeAt_);
      }
      continue;
    }
    wakeAt_ = Clock::time_point::min();  // awake: it looks at the entries before it sleeps
    auto callback = std::move(entries_.begin()->second);
    entries_.erase(entries_.begin());
    lock.unlock();
    callback();
    lock.lock();
  }
}

}  // namespace workstream
