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

// A fixed set of threads, made once at construction, running jobs from a
// bounded queue in the order they came. It never makes a thread later and
// never blocks a submitter: a job that finds the queue full is refused at
// once, so callers can answer "busy" instead of piling up work.
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

 private:
  void work();

  const std::string name_;
  const std::size_t capacity_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace workstream
