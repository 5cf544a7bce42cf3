#pragma once

#include <memory>

#include "app/module.hpp"
#include "app/roles_root.hpp"

namespace workstream::tasks {
class TaskService;
}

namespace workstream::app {

struct TasksRole {
  std::unique_ptr<Module> module;
  // The module's service, for a gateway in this process to call directly;
  // it lives as long as `module`.
  tasks::TaskService& service;
};

// The tasks role: PostgreSQL pool, store, service and the gRPC server.
// Throws when it cannot start (migrations fail, the address is taken).
TasksRole startTasks(RoleContext& context);

}  // namespace workstream::app
