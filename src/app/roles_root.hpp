#pragma once

#include "workstream/core/config.hpp"
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
};

// Wires the modules of the hosted roles. Today each role registers the
// readiness checks of the servers it depends on.
void composeRoles(const RoleSet& roles, RoleContext& context);

}  // namespace workstream::app
