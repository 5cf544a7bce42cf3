#include <atomic>
#include <catch2/catch.hpp>
#include <stdexcept>
#include <thread>

#include "workstream/core/readiness.hpp"

using namespace workstream;

TEST_CASE("readiness: ready only when every check passes") {
  std::vector<ReadinessCheck> checks{
      {"postgres",
       [] {
         return CheckResult{true, {}};
       }},
      {"redis",
       [] {
         return CheckResult{false, "connection refused"};
       }},
  };
  auto report = Readiness::evaluate(checks);
  CHECK_FALSE(report.ready);
  REQUIRE(report.checks.size() == 2);
  CHECK(report.checks[1].second.error == "connection refused");

  checks.pop_back();
  CHECK(Readiness::evaluate(checks).ready);
}

TEST_CASE("readiness: a throwing probe is a failed check, not a crash") {
  std::vector<ReadinessCheck> checks{
      {"broker", []() -> CheckResult { throw std::runtime_error("boom"); }}};
  auto report = Readiness::evaluate(checks);
  CHECK_FALSE(report.ready);
  CHECK(report.checks[0].second.error == "boom");
}

TEST_CASE("readiness: not ready before the first round, nor while draining") {
  Readiness readiness(std::chrono::milliseconds(10));
  readiness.add({"ok", [] { return CheckResult{true, {}}; }});
  const auto before = readiness.report();
  CHECK_FALSE(before.ready);
  REQUIRE(before.checks.size() == 1);  // /ready names what it waits for
  CHECK(before.checks[0].first == "ok");
  CHECK_FALSE(before.checks[0].second.ok);
  CHECK(before.checks[0].second.error == "not checked yet");
  readiness.start();
  for (int i = 0; i < 500 && !readiness.report().ready; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  CHECK(readiness.report().ready);
  readiness.drain();
  CHECK_FALSE(readiness.report().ready);
  CHECK(readiness.report().draining);
  readiness.stop();
}

TEST_CASE("readiness: a check added twice under one name runs once") {
  std::atomic<int> second{0};
  Readiness readiness(std::chrono::milliseconds(20));
  readiness.add({"redis", [] { return CheckResult{true, {}}; }});
  readiness.add({"redis", [&] {
                   ++second;
                   return CheckResult{true, {}};
                 }});
  readiness.start();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!readiness.report().ready && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const auto report = readiness.report();
  readiness.stop();
  CHECK(report.ready);
  CHECK(report.checks.size() == 1);
  CHECK(second == 0);
}

TEST_CASE("readiness: recheck runs a round now, not at the next tick") {
  std::atomic<bool> up{true};
  Readiness readiness(std::chrono::hours(1));  // a tick never comes during the test
  readiness.add({"consumer", [&] { return CheckResult{up.load(), "not subscribed"}; }});
  auto becomes = [&](bool ready) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (readiness.report().ready != ready && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return readiness.report().ready == ready;
  };
  readiness.start();
  REQUIRE(becomes(true));  // the first round runs at start
  up = false;
  readiness.recheck();
  CHECK(becomes(false));
  up = true;
  readiness.recheck();
  CHECK(becomes(true));
  readiness.stop();
}
