#include <fmt/format.h>
#include <mongoc/mongoc.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/thread_pool.hpp>
#include <csignal>
#include <future>
#include <thread>

#include "admin/admin_routes.hpp"
#include "app/commands.hpp"
#include "app/roles_root.hpp"
#include "http/server.hpp"
#include "workstream/core/build_info.hpp"

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

// libmongoc logs to stderr in its own format; while this lives, its warnings
// and errors go to our log instead, its chatter nowhere.
class MongocLogRoute {
 public:
  explicit MongocLogRoute(const Logger& log) : log_(log) {
    mongoc_log_set_handler(
        [](mongoc_log_level_t level, const char* domain, const char* message, void* data) {
          if (level > MONGOC_LOG_LEVEL_WARNING) return;
          static_cast<const MongocLogRoute*>(data)->log_.log(
              level == MONGOC_LOG_LEVEL_WARNING ? LogLevel::warn : LogLevel::error, message,
              {{"library", "mongoc"}, {"domain", domain}});
        },
        this);
  }
  ~MongocLogRoute() { mongoc_log_set_handler(nullptr, nullptr); }

 private:
  Logger log_;
};

// Exits the process if a graceful shutdown overruns its deadline.
class Watchdog {
 public:
  Watchdog(std::chrono::milliseconds deadline, Logger log)
      : thread_([this, deadline, log] {
          if (cancelled_.get_future().wait_for(deadline) == std::future_status::ready) return;
          log.error("shutdown overran its deadline; exiting now");
          std::_Exit(1);
        }) {}
  ~Watchdog() {
    cancelled_.set_value();
    thread_.join();
  }

 private:
  std::promise<void> cancelled_;
  std::thread thread_;
};

// The started modules, destroyed newest first however serve() returns: a
// later module may call into an earlier one (a gateway into the tasks
// service beside it), and must be gone before what it calls.
struct StartedModules {
  std::vector<std::unique_ptr<Module>> list;
  ~StartedModules() { clear(); }
  void clear() {
    while (!list.empty()) list.pop_back();
  }
};

}  // namespace

int serve(const RoleSet& roles, const Config& config) {
  Logger log(std::make_shared<LogSink>(stdout, config.logLevel), roles.serviceName());
  MongocLogRoute mongocLogs(log);
  Metrics metrics;
  registerProcessMetrics(metrics, roles);
  Readiness readiness(kReadinessInterval);
  admin::AdminExtensions adminExtensions;
  RoleContext context{config, log, metrics, readiness, adminExtensions};
  StartedModules modules;
  try {
    modules.list = composeRoles(roles, context);
  } catch (const std::exception& e) {
    log.error("cannot start", {{"error", e.what()}});
    return 1;
  }

  boost::asio::io_context io(1);
  admin::AdminState adminState{roles.serviceName(), std::string(buildVersion()), readiness,
                               metrics};
  boost::asio::thread_pool adminWorkers(2);  // for the extensions, which may block
  http::Server adminServer(
      io,
      [&](http::Request request, http::Respond respond) {
        if (const auto* extension = adminExtensions.find(request.path())) {
          boost::asio::post(adminWorkers, [extension, &log, request = std::move(request),
                                           respond = std::move(respond)] {
            respond(admin::callExtension(*extension, request, log));
          });
          return;
        }
        respond(admin::handleAdmin(adminState, request));
      },
      {}, log);
  HostPort adminBound;
  try {
    adminBound = adminServer.listen(*config.adminAddr);
  } catch (const std::exception& e) {
    log.error("cannot listen on the admin address",
              {{"address", config.adminAddr->str()}, {"error", e.what()}});
    return 1;
  }

  std::promise<int> stopSignal;
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signo) {
    if (ec) return;
    stopSignal.set_value(signo);
    signals.async_wait([log](const boost::system::error_code& ec2, int again) {
      if (ec2) return;
      log.warn("second signal; exiting now");
      std::_Exit(128 + again);
    });
  });

  readiness.start();
  std::thread ioThread([&io] { io.run(); });
  log.info("started",
           {{"roles", roles.str()}, {"version", buildVersion()}, {"admin_addr", adminBound.str()}});

  const int signo = stopSignal.get_future().get();
  log.info("shutting down", {{"signal", signo == SIGTERM ? "SIGTERM" : "SIGINT"}});
  // Modules drain until the deadline; the watchdog allows a little more for
  // what follows (closing connections) before it forces the exit.
  Watchdog watchdog(config.shutdownTimeout + std::chrono::seconds(2), log);
  const auto deadline = std::chrono::steady_clock::now() + config.shutdownTimeout;
  readiness.drain();
  for (auto it = modules.list.rbegin(); it != modules.list.rend(); ++it) (*it)->stop(deadline);
  adminServer.stop();
  readiness.stop();
  adminWorkers.join();
  io.stop();
  ioThread.join();
  modules.clear();  // their connections close before the last word
  log.info("stopped");
  return 0;
}

}  // namespace workstream::app
