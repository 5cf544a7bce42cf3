#include "app/roles_root.hpp"

#include <set>

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

// Registers each named check once, however many roles need it.
class Checks {
 public:
  explicit Checks(Readiness& readiness) : readiness_(readiness) {}

  template <class MakeProbe, class Target>
  void add(const std::string& name, MakeProbe makeProbe, const Target& target) {
    if (!names_.insert(name).second) return;
    readiness_.add({name, makeProbe(target, kProbeTimeout)});
  }

 private:
  Readiness& readiness_;
  std::set<std::string> names_;
};

}  // namespace

std::vector<std::unique_ptr<Module>> composeRoles(const RoleSet& roles, RoleContext& context) {
  const Config& config = context.config;
  std::vector<std::unique_ptr<Module>> modules;
  Checks checks(context.readiness);
  tasks::TaskService* tasksService = nullptr;
  if (roles.has(Role::tasks)) {
    auto tasks = startTasks(context);  // checks "postgres" through its own pool
    tasksService = &tasks.service;
    modules.push_back(std::move(tasks.module));
    checks.add("rabbitmq", probes::rabbitmq, config.rabbitmqUrl);
  }
  if (roles.has(Role::gateway)) {
    // Beside tasks: direct calls, ready when tasks is. Alone: gRPC to
    // WORKSTREAM_TASKS_ADDR, checked as "tasks".
    modules.push_back(tasksService != nullptr ? startLocalGateway(context, *tasksService)
                                              : startRemoteGateway(context));
  }
  if (roles.has(Role::notifications)) {
    checks.add("rabbitmq", probes::rabbitmq, config.rabbitmqUrl);
    modules.push_back(startNotifications(context));  // checks redis and mongodb itself
  }
  if (roles.has(Role::mailer)) {
    checks.add("rabbitmq", probes::rabbitmq, config.rabbitmqUrl);
    checks.add("redis", probes::redis, config.redisUrl);
    checks.add("smtp", probes::smtp, config.smtpUrl);
    modules.push_back(startMailer(context));
  }
  return modules;
}

}  // namespace workstream::app
