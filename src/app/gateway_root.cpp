#include "app/gateway_root.hpp"

#include "gateway/local_tasks_client.hpp"
#include "gateway/rest_api.hpp"
#include "grpc/grpc_tasks_client.hpp"
#include "http/threaded_server.hpp"

namespace workstream::app {
namespace {

class GatewayModule final : public Module {
 public:
  // `tasksCheck`, when given, is the readiness of a tasks service elsewhere.
  GatewayModule(RoleContext& context, std::unique_ptr<gateway::TasksClient> client,
                std::function<CheckResult()> tasksCheck)
      : log_(context.log.withService("workstream-gateway")),
        tasksTimeout_(context.config.tasksTimeout),
        client_(std::move(client)),
        api_(*client_, log_, context.metrics),
        server_([this](http::Request r,
                       http::Respond respond) { api_.handle(std::move(r), std::move(respond)); },
                limits(context.config), log_, &context.metrics) {
    const auto bound = server_.start(*context.config.httpAddr, context.config.httpThreads);
    if (tasksCheck) {
      context.dependencies.require(Dependency::tasks, [&tasksCheck] { return tasksCheck; });
    }
    log_.info("gateway listening", {{"http_addr", bound.str()}});
  }

  // The client goes first, while the API its answers reach still lives; a
  // local client waits here for the calls its workers still run.
  ~GatewayModule() override {
    server_.stop();
    client_.reset();
  }

  void stop(std::chrono::steady_clock::time_point deadline) override {
    server_.stopAccepting();
    if (!server_.waitIdle(deadline)) log_.warn("connections still open at the deadline");
    // Calls to tasks still running end by their own deadline; their answers
    // must find the API alive.
    api_.waitAnswered(std::chrono::steady_clock::now() + tasksTimeout_ + std::chrono::seconds(1));
    server_.stop();
  }

 private:
  static http::ServerLimits limits(const Config& config) {
    return {16 * 1024, config.httpMaxBodyBytes, config.httpReadTimeout};
  }

  Logger log_;
  std::chrono::milliseconds tasksTimeout_;
  std::unique_ptr<gateway::TasksClient> client_;
  gateway::RestApi api_;
  http::ThreadedServer server_;
};

}  // namespace

std::unique_ptr<Module> startRemoteGateway(RoleContext& context) {
  const Config& config = context.config;
  auto channel = gateway::GrpcTasksClient::channelTo(config.tasksAddr->str());
  auto client = std::make_unique<gateway::GrpcTasksClient>(channel, config.tasksTimeout);
  return std::make_unique<GatewayModule>(context, std::move(client),
                                         gateway::GrpcTasksClient::connectCheck(channel));
}

std::unique_ptr<Module> startLocalGateway(RoleContext& context, tasks::TaskService& service) {
  const Config& config = context.config;
  auto client = std::make_unique<gateway::LocalTasksClient>(
      service, context.log.withService("workstream-tasks"),
      gateway::LocalTasksClient::defaultOptions(config.postgresPoolSize, config.tasksTimeout));
  return std::make_unique<GatewayModule>(context, std::move(client), nullptr);
}

}  // namespace workstream::app
