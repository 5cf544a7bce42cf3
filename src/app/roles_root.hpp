#pragma once

#include <memory>
#include <vector>

#include "admin/admin_routes.hpp"
#include "app/module.hpp"
#include "workstream/core/config.hpp"
#include "workstream/core/dependency_checks.hpp"
#include "workstream/core/log.hpp"
#include "workstream/core/metrics.hpp"
#include "workstream/core/readiness.hpp"
#include "workstream/core/roles.hpp"

namespace workstream::app {

// What every role's composition root is handed.
struct RoleContext {
  const Config& config;
  Logger log;
  Metrics& metrics;
  Readiness& readiness;
  // The checks of the servers a role depends on, each registered once.
  DependencyChecks& dependencies;
  admin::AdminExtensions& admin;
};

// Starts the modules of the hosted roles, and registers the readiness checks
// of the servers each depends on. Throws when a module cannot start.
std::vector<std::unique_ptr<Module>> composeRoles(const RoleSet& roles, RoleContext& context);

}  // namespace workstream::app
