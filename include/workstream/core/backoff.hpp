#pragma once

// How long to wait before trying a server again: the pause starts at
// `first`, doubles after each failure up to `max`, and starts over after a
// success. Every backoff of the process is declared here.

#include <algorithm>
#include <chrono>

namespace workstream {

struct BackoffPolicy {
  std::chrono::milliseconds first;
  std::chrono::milliseconds max;
};

// The Postgres pool between connection attempts.
inline constexpr BackoffPolicy kPostgresReconnect{std::chrono::milliseconds(100),
                                                  std::chrono::seconds(5)};
// The outbox relay after a failed pass (the database or the broker).
inline constexpr BackoffPolicy kRelayRetry{std::chrono::milliseconds(200), std::chrono::seconds(5)};
// A consumer between reconnects. Reconnecting is cheap; the cap is how late a
// consumer may resume after the broker is back.
inline constexpr BackoffPolicy kConsumerReconnect{std::chrono::milliseconds(200),
                                                  std::chrono::seconds(1)};
// The gateway's reads of the tasks module while it is unavailable, in
// process and over gRPC alike (jittered, at most kTasksReadAttempts tries).
inline constexpr BackoffPolicy kTasksReadRetry{std::chrono::milliseconds(50),
                                               std::chrono::milliseconds(500)};
inline constexpr int kTasksReadAttempts = 3;

class Backoff {
 public:
  explicit constexpr Backoff(BackoffPolicy policy) : policy_(policy), next_(policy.first) {}

  // The pause before the next try; the one after it is twice as long, up to max.
  std::chrono::milliseconds next() {
    const auto pause = next_;
    next_ = std::min(policy_.max, next_ * 2);
    failing_ = true;
    return pause;
  }
  // After a success.
  void reset() {
    next_ = policy_.first;
    failing_ = false;
  }
  // Whether a failure came since the last success.
  bool failing() const { return failing_; }

 private:
  BackoffPolicy policy_;
  std::chrono::milliseconds next_;
  bool failing_ = false;
};

}  // namespace workstream
