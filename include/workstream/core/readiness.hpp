#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace workstream {

// The outcome of one readiness probe; `error` says why it failed.
struct CheckResult {
  bool ok = false;
  std::string error;
};

// A named probe of something a role needs: a database, the broker, a peer.
// A probe may block (it talks to a server), so it never runs on an I/O thread.
struct ReadinessCheck {
  std::string name;
  std::function<CheckResult()> probe;
};

struct ReadinessReport {
  bool ready = false;
  bool draining = false;
  std::vector<std::pair<std::string, CheckResult>> checks;
};

// Runs the registered checks on a thread of its own, every `interval`, and
// keeps the last report, so /ready answers at once without blocking.
// Until the first round has run, the process is not ready and every check is
// reported down, "not checked yet".
class Readiness {
 public:
  explicit Readiness(std::chrono::milliseconds interval) : interval_(interval) {}
  ~Readiness();
  Readiness(const Readiness&) = delete;
  Readiness& operator=(const Readiness&) = delete;

  // Register before start(). One check per name: roles that share a server
  // (with --role=all) may each add it, and the first one stays.
  void add(ReadinessCheck check);
  // Called on the checking thread after every round with whether the
  // process is ready (the gRPC health service follows it this way).
  void onReport(std::function<void(bool ready)> listener);
  void start();
  // Something a check looks at changed (a consumer subscribed, say): run a
  // round now rather than at the next tick, so start-up is seen at once.
  void recheck();
  // Shutting down: not ready from now on, whatever the checks say.
  void drain();
  // Stops the checking thread and releases the probes.
  void stop();

  ReadinessReport report() const;

  // Runs every check once, on the calling thread.
  static ReadinessReport evaluate(const std::vector<ReadinessCheck>& checks);

 private:
  void loop();

  const std::chrono::milliseconds interval_;
  std::vector<ReadinessCheck> checks_;
  std::vector<std::function<void(bool)>> listeners_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  ReadinessReport report_;
  bool stopping_ = false;
  bool recheck_ = false;
  bool everReady_ = false;
  std::thread thread_;
};

}  // namespace workstream
