#pragma once

#include <chrono>
#include <cstdint>

namespace workstream::events {

// Exponential backoff with jitter. After failed attempt k (1-based) a
// message waits about baseDelay * 2^(k-1) (capped at maxDelay, plus up to
// `jitter` of it at random) in retry tier k; after maxAttempts failures it
// goes to the dead-letter queue.
struct RetryPolicy {
  int maxAttempts = 5;
  std::chrono::milliseconds baseDelay{1000};
  std::chrono::milliseconds maxDelay{300'000};
  double jitter = 0.2;

  int retryTiers() const { return maxAttempts - 1; }
  bool exhausted(int attempt) const { return attempt >= maxAttempts; }
  // `unit` is a random number in [0, 1).
  std::chrono::milliseconds delayAfter(int attempt, double unit) const;
};

}  // namespace workstream::events
