#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <string>

#include "workstream/core/log.hpp"

namespace workstream {

// A set-up step that must succeed once (creating indexes) against a server
// that may be down at start-up: tried at once, and again by each call of
// tryNow() (a readiness check) until it succeeds; then never again. An
// InfrastructureError is a warning `warning` and a later try; anything else
// it throws is a bug and goes to the caller.
class EnsureOnce {
 public:
  EnsureOnce(std::function<void()> step, std::string warning, Logger log)
      : step_(std::move(step)), warning_(std::move(warning)), log_(std::move(log)) {}

  // True once the step has succeeded.
  bool tryNow();
  bool done() const { return done_; }

 private:
  std::function<void()> step_;
  std::string warning_;
  Logger log_;
  std::mutex mutex_;
  std::atomic<bool> done_{false};
};

}  // namespace workstream
