#pragma once

#include <exception>
#include <string>
#include <string_view>

#include "events/retry_policy.hpp"
#include "workstream/events/consumer.hpp"
#include "workstream/events/publisher.hpp"
#include "workstream/events/topology.hpp"

namespace workstream::events {

// What the consumer runtime makes of a handler that threw, the one place
// exceptions become outcomes: a server that is down (Unavailable) is a retry
// as DEPENDENCY_UNAVAILABLE, anything else a retry as HANDLER_FAILED. Never
// poison: only a handler can tell that a message will never do.
Outcome failureOutcome(std::exception_ptr failure);

// Runs `handle` (returning an Outcome); an exception becomes failureOutcome.
template <class Handle>
Outcome outcomeOf(Handle&& handle) {
  try {
    return handle();
  } catch (...) {
    return failureOutcome(std::current_exception());
  }
}

// Where a delivery that was not `done` goes: a copy to the retry tier of its
// attempt (it comes back to `queue` when it expires), or, when it is poison or
// out of attempts, to the DLQ. The copy keeps the message's id, type, body and
// headers, and carries its error context: x-error-code, x-error-message,
// x-attempts, x-first-failure-at, x-last-failure-at, x-original-routing-key,
// x-consumer. What it echoes is bounded, so the copy fits one AMQP frame
// whatever came in: the error message to 1 KiB, codes, routing keys and
// timestamps to 255 bytes, the headers copied along to 16 KiB in all (the
// rest are left out). `unit` in [0, 1) draws the jitter.
OutgoingMessage failureCopy(const Delivery& delivery, const Outcome& outcome,
                            const ConsumerQueue& queue, const RetryPolicy& policy,
                            std::string_view consumer, std::string_view now, double unit);

// The attempt a delivery is on, from the failures counted in the x-attempts
// header it came back with. The header comes from the wire, so it is not
// trusted: anything but a decimal count counts as no failure, and a count
// over kMaxCountedFailures is capped there (past every retry policy's last
// attempt, so the next failure dead-letters it), so neither overflows nor
// holds a message in its retry tiers forever.
constexpr int kMaxCountedFailures = 1000;
int attemptAfterFailures(std::string_view xAttempts);

// At most `limit` (> 3) bytes of `text`, cut on a UTF-8 character boundary;
// "..." marks the cut.
std::string boundedText(std::string_view text, std::size_t limit);

bool goesToDeadLetters(const Delivery& delivery, const Outcome& outcome, const RetryPolicy& policy);

}  // namespace workstream::events
