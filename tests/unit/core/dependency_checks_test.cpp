#include <catch2/catch.hpp>
#include <thread>

#include "workstream/core/dependency_checks.hpp"

using namespace workstream;
using namespace std::chrono_literals;

TEST_CASE("dependency checks: two registrations of one dependency make one check") {
  Readiness readiness(1000ms);
  DependencyChecks checks(readiness);
  int made = 0;
  int probed = 0;
  auto factory = [&] {
    ++made;
    return [&] {
      ++probed;
      return CheckResult{true, {}};
    };
  };
  CHECK(checks.require(Dependency::redis, factory));
  CHECK_FALSE(checks.require(Dependency::redis, factory));  // a second role needs it too
  CHECK(checks.require(Dependency::smtp, factory));
  CHECK(made == 2);
  CHECK(checks.has(Dependency::redis));
  CHECK_FALSE(checks.has(Dependency::postgres));

  readiness.start();
  for (int i = 0; i < 200 && !readiness.report().ready; ++i) std::this_thread::sleep_for(5ms);
  readiness.stop();
  const auto report = readiness.report();
  REQUIRE(report.checks.size() == 2);
  CHECK(report.checks[0].first == "redis");
  CHECK(report.checks[1].first == "smtp");
  CHECK(probed >= 2);
}

TEST_CASE("dependency checks: each dependency has its /ready name") {
  CHECK(dependencyName(Dependency::postgres) == "postgres");
  CHECK(dependencyName(Dependency::rabbitmq) == "rabbitmq");
  CHECK(dependencyName(Dependency::redis) == "redis");
  CHECK(dependencyName(Dependency::mongodb) == "mongodb");
  CHECK(dependencyName(Dependency::smtp) == "smtp");
  CHECK(dependencyName(Dependency::tasks) == "tasks");
}
