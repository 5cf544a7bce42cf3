#include "workstream/core/worker_pool.hpp"

#include <pthread.h>

#include <algorithm>
#include <system_error>

namespace workstream {

WorkerPool::WorkerPool(int threads, std::size_t capacity, std::string name)
    : name_(std::move(name)),
      maxThreads_(static_cast<std::size_t>(std::max(threads, 1))),
      capacity_(capacity) {
  threads_.reserve(maxThreads_);
}

WorkerPool::~WorkerPool() { stop(); }

bool WorkerPool::trySubmit(Job job) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= capacity_) return false;
    queue_.push_back(std::move(job));
    // Jobs waiting outnumber the threads waiting for them: one more thread.
    if (queue_.size() > idle_ && threads_.size() < maxThreads_) {
      try {
        threads_.emplace_back([this] { work(); });
      } catch (const std::system_error&) {
        // No thread to be had: the threads there are take the job, and
        // with none at all, it is refused.
        if (threads_.empty()) {
          queue_.pop_back();
          return false;
        }
      }
    }
  }
  wake_.notify_one();
  return true;
}

void WorkerPool::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

std::size_t WorkerPool::threads() const {
  std::lock_guard lock(mutex_);
  return threads_.size();
}

void WorkerPool::work() {
  // Otherwise a thread goes by the name of the one that made it.
  pthread_setname_np(pthread_self(), name_.substr(0, 15).c_str());
  while (true) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      ++idle_;
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      --idle_;
      if (queue_.empty()) return;  // stopping, and nothing left to drain
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job();
  }
}

}  // namespace workstream
