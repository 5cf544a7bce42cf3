#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace workstream {

// Up to `threads` threads running jobs from a bounded queue in the order
// they came. A thread is made when a job finds every thread busy, and kept
// until stop(): a pool never used holds no thread, and one that has met its
// load makes no more. It never blocks a submitter: a job that finds the
// queue full is refused at once, so callers can answer "busy" instead of
// piling up work.
class WorkerPool {
 public:
  using Job = std::function<void()>;

  // `name` names its threads (15 characters at most), for ps and /proc.
  WorkerPool(int threads, std::size_t capacity, std::string name = "worker");
  ~WorkerPool();  // stop()
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `job` to run once on a worker; false (the job dropped, unrun)
  // when the queue holds `capacity` jobs or the pool is stopping.
  bool trySubmit(Job job);

  // Refuses new jobs, runs every job already queued, then joins the threads.
  // Safe to call more than once.
  void stop();

  // How many threads it has made so far.
  std::size_t threads() const;

 private:
  void work();

  const std::string name_;
  const std::size_t maxThreads_;
  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> queue_;
  std::size_t idle_ = 0;  // threads waiting for a job
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace workstream
