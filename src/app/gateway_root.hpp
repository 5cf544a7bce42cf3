#pragma once

#include <memory>

#include "app/module.hpp"
#include "app/roles_root.hpp"

namespace workstream::tasks {
class TaskService;
}

namespace workstream::app {

// The gateway role: the REST server on its own I/O threads, calling tasks.

// Tasks elsewhere: over gRPC to WORKSTREAM_TASKS_ADDR, a readiness check
// ("tasks").
std::unique_ptr<Module> startRemoteGateway(RoleContext& context);

// The tasks module in this process: `service` called directly on a worker
// pool (LocalTasksClient), no gRPC. The module must be destroyed before
// `service`; its destruction waits for the calls still running.
std::unique_ptr<Module> startLocalGateway(RoleContext& context, tasks::TaskService& service);

}  // namespace workstream::app
