#pragma once

// How a serving process ends: the stop signals, the order modules stop in,
// and the watchdog that ends a shutdown that overruns.

#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include "workstream/core/log.hpp"
#include "workstream/core/module.hpp"

namespace workstream {

using ExitFunction = std::function<void(int code)>;
// Ends the process at once: no destructors, no atexit handlers, which could
// block on the very thing that overran.
void exitNow(int code);

// The started modules, oldest first. They stop and are destroyed newest
// first, however the process ends: a later module may call into an earlier
// one (a gateway into the tasks service beside it), and must be gone before
// what it calls.
class StartedModules {
 public:
  StartedModules() = default;
  explicit StartedModules(std::vector<std::unique_ptr<Module>> modules)
      : list_(std::move(modules)) {}
  ~StartedModules() { clear(); }
  StartedModules(StartedModules&&) = default;
  StartedModules& operator=(StartedModules&& other) noexcept;

  void stop(std::chrono::steady_clock::time_point deadline);
  void clear();
  std::size_t size() const { return list_.size(); }

 private:
  std::vector<std::unique_ptr<Module>> list_;
};

// Calls `exit(1)`, with an error logged, unless destroyed within `deadline`.
class Watchdog {
 public:
  Watchdog(std::chrono::milliseconds deadline, Logger log, ExitFunction exit = exitNow);
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

 private:
  std::promise<void> cancelled_;
  std::thread thread_;
};

struct ShutdownOptions {
  // The modules drain until now + timeout.
  std::chrono::milliseconds timeout{10'000};
  // What follows the modules (closing listeners and connections) may take
  // this much more before the watchdog ends the process.
  std::chrono::milliseconds grace{2'000};
  std::function<std::chrono::steady_clock::time_point()> now = [] {
    return std::chrono::steady_clock::now();
  };
  ExitFunction exit = exitNow;
};

// The graceful shutdown once the stop signal has come: `drain` (readiness
// says not ready from now on), the modules stop newest first by one
// deadline, `then` runs (the admin listener and its threads), and the
// modules are destroyed (their connections close). A watchdog armed for
// timeout + grace exits with 1 if that overruns.
void shutDown(const ShutdownOptions& options, const Logger& log, const std::function<void()>& drain,
              StartedModules& modules, const std::function<void()>& then);

// SIGINT and SIGTERM, caught on a thread of its own from construction on.
// wait() returns the first; a second ends the process at once with
// 128 + its number (an operator who asks twice means it).
class StopSignals {
 public:
  explicit StopSignals(Logger log, ExitFunction exit = exitNow);
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // Blocks until the first signal; returns its number.
  int wait();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace workstream
