#include "app/roles_root.hpp"

#include "app/gateway_root.hpp"
#include "app/mailer_root.hpp"
#include "app/notifications_root.hpp"
#include "app/tasks_root.hpp"
#include "rabbitmq/rabbitmq_probe.hpp"
#include "redis/redis_probe.hpp"
#include "smtp/smtp_probe.hpp"

namespace workstream::app {
namespace {

constexpr std::chrono::milliseconds kProbeTimeout{2000};

// A probe of the server at `url`, made only if no role has checked it yet.
template <class MakeProbe>
std::function<DependencyChecks::Probe()> probeOf(MakeProbe makeProbe, const std::string& url) {
  return [makeProbe, &url] { return makeProbe(url, kProbeTimeout); };
}

}  // namespace

std::vector<std::unique_ptr<Module>> composeRoles(const RoleSet& roles, RoleContext& context) {
  const Config& config = context.config;
  auto& checks = context.dependencies;
  std::vector<std::unique_ptr<Module>> modules;
  tasks::TaskService* tasksService = nullptr;
  if (roles.has(Role::tasks)) {
    auto tasks = startTasks(context);  // checks "postgres" through its own pool
    tasksService = &tasks.service;
    modules.push_back(std::move(tasks.module));
    checks.require(Dependency::rabbitmq, probeOf(probes::rabbitmq, config.rabbitmqUrl));
  }
  if (roles.has(Role::gateway)) {
    // Beside tasks: direct calls, ready when tasks is. Alone: gRPC to
    // WORKSTREAM_TASKS_ADDR, checked as "tasks".
    modules.push_back(tasksService != nullptr ? startLocalGateway(context, *tasksService)
                                              : startRemoteGateway(context));
  }
  if (roles.has(Role::notifications)) {
    checks.require(Dependency::rabbitmq, probeOf(probes::rabbitmq, config.rabbitmqUrl));
    modules.push_back(startNotifications(context));  // checks redis and mongodb itself
  }
  if (roles.has(Role::mailer)) {
    checks.require(Dependency::rabbitmq, probeOf(probes::rabbitmq, config.rabbitmqUrl));
    checks.require(Dependency::redis, probeOf(probes::redis, config.redisUrl));
    checks.require(Dependency::smtp, probeOf(probes::smtp, config.smtpUrl));
    modules.push_back(startMailer(context));
  }
  return modules;
}

}  // namespace workstream::app
