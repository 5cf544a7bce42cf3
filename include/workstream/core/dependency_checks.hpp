#pragma once

#include <functional>
#include <set>
#include <string_view>

#include "workstream/core/readiness.hpp"

namespace workstream {

// The servers and peers roles depend on; each is one readiness check.
enum class Dependency { postgres, rabbitmq, redis, mongodb, smtp, tasks };

// The check's name in /ready.
std::string_view dependencyName(Dependency dependency);

// Readiness checks keyed by dependency: with several roles in one process
// (--role=all), each dependency is registered, and so checked, once, however
// many roles need it. The first registration stays.
class DependencyChecks {
 public:
  using Probe = std::function<CheckResult()>;

  explicit DependencyChecks(Readiness& readiness) : readiness_(readiness) {}

  // Registers the check of `dependency` unless it is registered already;
  // only then is `makeProbe` called (a probe may hold a connection).
  // True if this call registered it.
  bool require(Dependency dependency, const std::function<Probe()>& makeProbe);
  bool has(Dependency dependency) const { return known_.contains(dependency); }

 private:
  Readiness& readiness_;
  std::set<Dependency> known_;
};

}  // namespace workstream
