#include "events/retry_policy.hpp"

#include <algorithm>

namespace workstream::events {

std::chrono::milliseconds RetryPolicy::delayAfter(int attempt, double unit) const {
  const int exponent = std::clamp(attempt - 1, 0, 30);
  const double base = std::min<double>(static_cast<double>(maxDelay.count()),
                                       static_cast<double>(baseDelay.count()) * (1LL << exponent));
  return std::chrono::milliseconds(static_cast<std::int64_t>(base * (1.0 + jitter * unit)));
}

}  // namespace workstream::events
