#include "events/failure_routing.hpp"

#include <algorithm>
#include <charconv>

#include "events/event_message.hpp"
#include "workstream/core/errors.hpp"

namespace workstream::events {
namespace {

// The copy travels in one AMQP header frame (128 KiB at most, the frame
// limit), and what it echoes (an event type, an address, a header) came from
// the wire: each part is bounded so the copy always fits.
constexpr std::size_t kMaxErrorMessageBytes = 1024;
constexpr std::size_t kMaxShortTextBytes = 255;  // codes, routing keys, timestamps
constexpr std::size_t kMaxCopiedHeaderBytes = 16 * 1024;

// traceparent and such, while they fit the budget; never the x- headers,
// which the copy sets itself, but for the replay history (`workstream dlq
// replay` bounds it), so a message replayed and dead-lettered again keeps it.
void copyHeaders(const Delivery& delivery, OutgoingMessage& copy) {
  std::size_t used = 0;
  for (const auto& [key, value] : delivery.headers) {
    if (key.starts_with("x-") && key != "x-replay-history") continue;
    if (used + key.size() + value.size() > kMaxCopiedHeaderBytes) continue;
    used += key.size() + value.size();
    copy.headers.emplace_back(key, value);
  }
}

}  // namespace

Outcome failureOutcome(std::exception_ptr failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const Unavailable& e) {
    return Outcome::retryLater("DEPENDENCY_UNAVAILABLE", e.what());
  } catch (const std::exception& e) {
    return Outcome::retryLater("HANDLER_FAILED", e.what());
  } catch (...) {
    return Outcome::retryLater("HANDLER_FAILED", "the handler threw a non-standard exception");
  }
}

std::string boundedText(std::string_view text, std::size_t limit) {
  if (text.size() <= limit) return std::string(text);
  std::size_t cut = limit - 3;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + "...";
}

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
  OutgoingMessage copy = copyOf(delivery);
  copyHeaders(delivery, copy);
  auto earlier = delivery.headers.find("x-first-failure-at");
  copy.headers.emplace_back("x-attempts", static_cast<std::int64_t>(delivery.attempt));
  copy.headers.emplace_back(
      "x-first-failure-at",
      boundedText(earlier != delivery.headers.end() ? earlier->second : now, kMaxShortTextBytes));
  copy.headers.emplace_back("x-last-failure-at", std::string(now));
  copy.headers.emplace_back("x-original-routing-key",
                            boundedText(delivery.routingKey, kMaxShortTextBytes));
  copy.headers.emplace_back("x-error-code", boundedText(outcome.errorCode, kMaxShortTextBytes));
  copy.headers.emplace_back("x-error-message",
                            boundedText(outcome.errorMessage, kMaxErrorMessageBytes));
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
