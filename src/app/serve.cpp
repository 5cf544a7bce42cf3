#include <fmt/format.h>

#include <malloc.h>

#include <csignal>
#include <utility>

#include "admin/admin_server.hpp"
#include "app/commands.hpp"
#include "app/roles_root.hpp"
#include "mongo/mongoc_log_route.hpp"
#include "workstream/core/build_info.hpp"
#include "workstream/core/shutdown.hpp"

namespace workstream::app {
namespace {

constexpr std::chrono::milliseconds kReadinessInterval{2000};

void registerProcessMetrics(Metrics& metrics, const RoleSet& roles) {
  const auto started = std::chrono::steady_clock::now();
  metrics
      .gauge("workstream_build_info", "Build and roles of this process; always 1",
             fmt::format(R"(version="{}",roles="{}")", buildVersion(), roles.str()))
      .set(1);
  metrics.gaugeFunction(
      "workstream_uptime_seconds", "Seconds since the process started", [started] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      });
}

}  // namespace

int serve(const RoleSet& roles, const Config& config) {
  Logger log(std::make_shared<LogSink>(stdout, config.logLevel), roles.serviceName());
  mongo::MongocLogRoute mongocLogs(log);
  Metrics metrics;
  registerProcessMetrics(metrics, roles);
  Readiness readiness(kReadinessInterval);
  DependencyChecks dependencies(readiness);
  admin::AdminExtensions adminExtensions;
  RoleContext context{config, log, metrics, readiness, dependencies, adminExtensions};
  StartedModules modules;
  try {
    modules = StartedModules(composeRoles(roles, context));
  } catch (const std::exception& e) {
    log.error("cannot start", {{"error", e.what()}});
    return 1;
  }

  admin::AdminServer adminServer(
      {roles.serviceName(), std::string(buildVersion()), readiness, metrics}, adminExtensions, log);
  HostPort adminBound;
  try {
    adminBound = adminServer.start(*config.adminAddr);
  } catch (const std::exception& e) {
    log.error("cannot listen on the admin address",
              {{"address", config.adminAddr->str()}, {"error", e.what()}});
    return 1;
  }

  StopSignals signals(log);
  // Once ready, what start-up allocated and freed (migrations, topology,
  // connections' set-up) goes back to the system rather than waiting in
  // malloc's free lists.
  readiness.onReport([trimmed = false](bool ready) mutable {
    if (ready && !std::exchange(trimmed, true)) malloc_trim(0);
  });
  readiness.start();
  log.info("started",
           {{"roles", roles.str()}, {"version", buildVersion()}, {"admin_addr", adminBound.str()}});

  const int signo = signals.wait();
  log.info("shutting down", {{"signal", signo == SIGTERM ? "SIGTERM" : "SIGINT"}});
  shutDown(
      {.timeout = config.shutdownTimeout}, log, [&] { readiness.drain(); }, modules,
      [&] {
        adminServer.stop();
        readiness.stop();
      });
  log.info("stopped");
  return 0;
}

}  // namespace workstream::app
