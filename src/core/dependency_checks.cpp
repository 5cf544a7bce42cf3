#include "workstream/core/dependency_checks.hpp"

namespace workstream {

std::string_view dependencyName(Dependency dependency) {
  switch (dependency) {
    case Dependency::postgres:
      return "postgres";
    case Dependency::rabbitmq:
      return "rabbitmq";
    case Dependency::redis:
      return "redis";
    case Dependency::mongodb:
      return "mongodb";
    case Dependency::smtp:
      return "smtp";
    case Dependency::tasks:
      return "tasks";
  }
  return "unknown";
}

bool DependencyChecks::require(Dependency dependency, const std::function<Probe()>& makeProbe) {
  if (!known_.insert(dependency).second) return false;
  readiness_.add({std::string(dependencyName(dependency)), makeProbe()});
  return true;
}

}  // namespace workstream
