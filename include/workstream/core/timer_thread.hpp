#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

namespace workstream {

// Runs short callbacks at their due time, in due-time order, on one thread
// of its own made at construction. Callbacks must not block: they share the
// thread. Those not yet due when the timer stops never run.
class TimerThread {
 public:
  using Clock = std::chrono::steady_clock;

  TimerThread();
  ~TimerThread();  // stop()
  TimerThread(const TimerThread&) = delete;
  TimerThread& operator=(const TimerThread&) = delete;

  // Runs `callback` at `due` (at once when `due` has passed); dropped when
  // the timer has stopped.
  void at(Clock::time_point due, std::function<void()> callback);

  void stop();

 private:
  struct Entry {
    Clock::time_point due;
    std::uint64_t sequence;  // keeps callbacks of one due time in call order
    std::function<void()> callback;
    bool operator>(const Entry& other) const {
      return due != other.due ? due > other.due : sequence > other.sequence;
    }
  };
  void run();

  std::mutex mutex_;
  std::condition_variable changed_;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> entries_;
  std::uint64_t nextSequence_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace workstream
