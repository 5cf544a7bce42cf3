#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

namespace workstream {

// Runs short callbacks at their due time, in due-time order, on one thread
// of its own made at construction, named `name` (15 characters at most).
// Callbacks must not block: they share the thread. Those not yet due when
// the timer stops never run.
class TimerThread {
 public:
  using Clock = std::chrono::steady_clock;

  explicit TimerThread(std::string name = "timer");
  ~TimerThread();  // stop()
  TimerThread(const TimerThread&) = delete;
  TimerThread& operator=(const TimerThread&) = delete;

  // Names an entry, to cancel it.
  using Ticket = std::pair<Clock::time_point, std::uint64_t>;

  // Runs `callback` at `due` (at once when `due` has passed); dropped when
  // the timer has stopped. Wakes the thread only when it would sleep past
  // `due`: a deadline later than one cancelled before it costs no wake-up.
  Ticket at(Clock::time_point due, std::function<void()> callback);
  // Drops the entry if it has not run yet; nothing otherwise. An entry that
  // is cancelled never wakes the thread: a deadline that rarely passes
  // costs an insert and an erase, not a wake-up.
  void cancel(const Ticket& ticket);

  void stop();

 private:
  void run();

  std::mutex mutex_;
  std::condition_variable changed_;
  // By due time, then by call order (the sequence).
  std::map<Ticket, std::function<void()>> entries_;
  std::uint64_t nextSequence_ = 0;
  // When the thread wakes by itself: the time it sleeps until (an entry's
  // due time, or one announced to it whose entry was cancelled), max()
  // while it waits for an entry, min() while it runs entries (it looks at
  // them again before it sleeps).
  Clock::time_point wakeAt_ = Clock::time_point::min();
  std::string name_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace workstream
