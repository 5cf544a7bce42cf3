#pragma once

#include <memory>

#include "app/module.hpp"
#include "app/roles_root.hpp"

namespace grpc {
class Channel;
}

namespace workstream::app {

struct TasksRole {
  std::unique_ptr<Module> module;
  // The gRPC service without a network hop, for a gateway in this process.
  std::shared_ptr<grpc::Channel> inProcessChannel;
};

// The tasks role: PostgreSQL pool, store, service and the gRPC server.
// Throws when it cannot start (migrations fail, the address is taken).
TasksRole startTasks(RoleContext& context);

// `workstream migrate`: brings the tasks schema up to date.
int migrateCommand(const Config& config);

}  // namespace workstream::app
