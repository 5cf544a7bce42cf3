#pragma once

#include <memory>

#include "app/module.hpp"
#include "app/roles_root.hpp"

namespace grpc {
class Channel;
}

namespace workstream::app {

// The gateway role: the REST server on its own I/O threads, calling tasks
// through `tasksChannel` (in-process beside the tasks role, TCP otherwise).
// A remote tasks service is a readiness check ("tasks").
std::unique_ptr<Module> startGateway(RoleContext& context,
                                     std::shared_ptr<grpc::Channel> tasksChannel, bool tasksRemote);

// A channel to a tasks service elsewhere, at WORKSTREAM_TASKS_ADDR.
std::shared_ptr<grpc::Channel> remoteTasksChannel(const Config& config);

}  // namespace workstream::app
