#include "events/failure_routing.hpp"

#include <algorithm>
#include <charconv>

namespace workstream::events {

int attemptAfterFailures(std::string_view xAttempts) {
  long long failures = 0;
  const auto* end = xAttempts.data() + xAttempts.size();
  const auto [stop, ec] = std::from_chars(xAttempts.data(), end, failures);
  if (ec == std::errc::result_out_of_range) {
    failures = xAttempts.starts_with('-') ? 0 : kMaxCountedFailures;
  } else if (ec != std::errc() || stop != end) {
    failures = 0;
  }
  return static_cast<int>(std::clamp<long long>(failures, 0, kMaxCountedFailures)) + 1;
}

bool goesToDeadLetters(const Delivery& delivery, const Outcome& outcome,
                       const RetryPolicy& policy) {
  return outcome.kind == Outcome::Kind::poison || policy.exhausted(delivery.attempt);
}

OutgoingMessage failureCopy(const Delivery& delivery, const Outcome& outcome,
                            const ConsumerQueue& queue, const RetryPolicy& policy,
                            std::string_view consumer, std::string_view now, double unit) {
  OutgoingMessage copy;
  copy.messageId = delivery.messageId;
  copy.type = delivery.type;
  copy.appId = delivery.appId;
  copy.timestamp = delivery.timestamp;
  copy.body = delivery.body;
  for (const auto& [key, value] : delivery.headers) {
    if (!key.starts_with("x-")) copy.headers.emplace_back(key, value);  // traceparent and such
  }
  auto earlier = delivery.headers.find("x-first-failure-at");
  copy.headers.emplace_back("x-attempts", static_cast<std::int64_t>(delivery.attempt));
  copy.headers.emplace_back("x-first-failure-at",
                            earlier != delivery.headers.end() ? earlier->second : std::string(now));
  copy.headers.emplace_back("x-last-failure-at", std::string(now));
  copy.headers.emplace_back("x-original-routing-key", delivery.routingKey);
  copy.headers.emplace_back("x-error-code", outcome.errorCode);
  copy.headers.emplace_back("x-error-message", outcome.errorMessage);
  copy.headers.emplace_back("x-consumer", std::string(consumer));

  if (goesToDeadLetters(delivery, outcome, policy)) {
    copy.routingKey = queue.deadLetterQueue();
  } else {
    const int tier = std::clamp(delivery.attempt, 1, policy.retryTiers());
    copy.routingKey = queue.retryQueue(tier);
    copy.expirationMs = policy.delayAfter(delivery.attempt, unit).count();
  }
  return copy;  // through the default exchange: the routing key is the queue
}

}  // namespace workstream::events
