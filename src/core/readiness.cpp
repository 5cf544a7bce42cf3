#include "workstream/core/readiness.hpp"

#include <algorithm>
#include <exception>

namespace workstream {
namespace {

constexpr std::chrono::milliseconds kStartupInterval{50};

}  // namespace

Readiness::~Readiness() { stop(); }

void Readiness::add(ReadinessCheck check) {
  const auto known = std::any_of(checks_.begin(), checks_.end(),
                                 [&](const ReadinessCheck& c) { return c.name == check.name; });
  if (known) return;
  // Until the first round, /ready names what it waits for.
  std::lock_guard lock(mutex_);
  report_.checks.emplace_back(check.name, CheckResult{false, "not checked yet"});
  checks_.push_back(std::move(check));
}

void Readiness::onReport(std::function<void(bool)> listener) {
  listeners_.push_back(std::move(listener));
}

void Readiness::start() {
  thread_ = std::thread([this] { loop(); });
}

void Readiness::recheck() {
  {
    std::lock_guard lock(mutex_);
    recheck_ = true;
  }
  wake_.notify_all();
}

void Readiness::drain() {
  std::lock_guard lock(mutex_);
  report_.draining = true;
  report_.ready = false;
}

void Readiness::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  checks_.clear();  // probes hold connections; release them now, not at destruction
  listeners_.clear();
}

ReadinessReport Readiness::report() const {
  std::lock_guard lock(mutex_);
  return report_;
}

ReadinessReport Readiness::evaluate(const std::vector<ReadinessCheck>& checks) {
  ReadinessReport report;
  report.ready = true;
  for (const auto& check : checks) {
    CheckResult result;
    try {
      result = check.probe();
    } catch (const std::exception& e) {
      result = {false, e.what()};
    }
    report.ready = report.ready && result.ok;
    report.checks.emplace_back(check.name, std::move(result));
  }
  return report;
}

void Readiness::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    recheck_ = false;
    lock.unlock();
    auto fresh = evaluate(checks_);
    lock.lock();
    fresh.draining = report_.draining;
    fresh.ready = fresh.ready && !fresh.draining;
    report_ = std::move(fresh);
    const bool ready = report_.ready;
    lock.unlock();
    for (const auto& listener : listeners_) listener(ready);
    lock.lock();
    if (stopping_) break;
    // Until the process is first ready, look again soon: start-up should be
    // seen in a fraction of a second, not a whole interval later.
    everReady_ = everReady_ || ready;
    const auto wait = everReady_ ? interval_ : std::min(interval_, kStartupInterval);
    wake_.wait_for(lock, wait, [this] { return stopping_ || recheck_; });
  }
}

}  // namespace workstream
