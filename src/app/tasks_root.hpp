#pragma once

#include <memory>

#include "app/module.hpp"
#include "app/roles_root.hpp"

namespace workstream::app {

// The tasks role: PostgreSQL pool, store, service and the gRPC server.
// Throws when it cannot start (migrations fail, the address is taken).
std::unique_ptr<Module> startTasks(RoleContext& context);

// `workstream migrate`: brings the tasks schema up to date.
int migrateCommand(const Config& config);

}  // namespace workstream::app
