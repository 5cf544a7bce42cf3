#pragma once

// What a consumer's handler sees and answers. The runtime that calls it
// promises at-least-once delivery: a message is acknowledged only after its
// handler returned `done` (or after it was moved to a retry or dead-letter
// queue, confirmed). A handler must therefore be idempotent.

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace workstream::events {

struct Delivery {
  std::string body;
  std::string messageId;
  std::string type;
  std::string appId;
  std::int64_t timestamp = 0;
  std::string routingKey;  // the original one, also for retried messages
  int attempt = 1;         // 1 on first delivery, +1 after each failed attempt
  bool redelivered = false;
  std::map<std::string, std::string> headers;  // string-valued headers
};

struct Outcome {
  enum class Kind { done, retry, poison };
  Kind kind = Kind::done;
  std::string errorCode;
  std::string errorMessage;

  static Outcome ok() { return {}; }
  // Transient: try again later, with backoff; after the last attempt, the DLQ.
  static Outcome retryLater(std::string code, std::string message) {
    return {Kind::retry, std::move(code), std::move(message)};
  }
  // Never processable: the DLQ now.
  static Outcome poison(std::string code, std::string message) {
    return {Kind::poison, std::move(code), std::move(message)};
  }
};

class DeliveryHandler {
 public:
  virtual ~DeliveryHandler() = default;
  // Called on a worker thread; may block. An exception is a retry (the
  // runtime says which error code: see events::failureOutcome); a handler
  // catches only what it decides about itself.
  virtual Outcome handle(const Delivery& delivery) = 0;

  // How many deliveries that are waiting together the runtime may hand to
  // handleBatch at once; 1 means one at a time, through handle.
  virtual std::size_t maxBatch() const { return 1; }
  // Outcomes in the order of `deliveries`. An exception is a retry of every
  // one of them; a handler that can tell them apart answers each instead.
  virtual std::vector<Outcome> handleBatch(const std::vector<const Delivery*>& deliveries) {
    std::vector<Outcome> outcomes;
    outcomes.reserve(deliveries.size());
    for (const auto* delivery : deliveries) outcomes.push_back(handle(*delivery));
    return outcomes;
  }
};

}  // namespace workstream::events
