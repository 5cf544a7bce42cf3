#include <catch2/catch.hpp>

#include "grpc/grpc_server.hpp"
#include "grpc/grpc_tasks_client.hpp"

using namespace workstream;
using namespace std::chrono_literals;

TEST_CASE("tasks connect check: up while the tasks address answers, down once it is gone") {
  auto server =
      std::make_unique<rpc::GrpcServer>(rpc::GrpcServerOptions{{"127.0.0.1", 0}, "test"},
                                        std::vector<grpc::Service*>{}, std::vector<std::string>{});
  const auto address = server->bound().str();
  auto check =
      gateway::GrpcTasksClient::connectCheck(gateway::GrpcTasksClient::channelTo(address), 500ms);
  CHECK(check().ok);

  server.reset();
  auto fresh =
      gateway::GrpcTasksClient::connectCheck(gateway::GrpcTasksClient::channelTo(address), 300ms);
  const auto result = fresh();
  CHECK_FALSE(result.ok);
  CHECK(result.error == "the tasks service is unreachable");
}
