// The TasksClient contract over Postgres: GrpcTasksClient against the gRPC
// service on a loopback port, and LocalTasksClient (whose gets read on the
// store's own thread); both meet it over the in-memory store in
// tests/unit/contracts too.
#include <grpcpp/grpcpp.h>

#include <catch2/catch.hpp>

#include "contracts/tasks_client_contract.hpp"
#include "gateway/local_tasks_client.hpp"
#include "grpc/grpc_tasks_client.hpp"
#include "grpc/grpc_tasks_service.hpp"
#include "tasks/tasks_fixture.hpp"

using namespace workstream;
using namespace std::chrono_literals;

TEST_CASE("tasks client contract: gRPC, over Postgres") {
  testing::TasksFixture f;
  tasks::GrpcTasksService grpcService{f.service, testing::quietLogger()};
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&grpcService);
  auto server = builder.BuildAndStart();
  REQUIRE(port != 0);
  {
    gateway::GrpcTasksClient client(grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                                                        grpc::InsecureChannelCredentials()),
                                    5s);
    contracts::checkTasksClientContract(client);
  }
  server->Shutdown();

  // Nobody listens on port 1: a create is unavailable at once.
  gateway::GrpcTasksClient down(
      grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials()), 5s);
  contracts::checkTasksClientUnavailable(down);
}

TEST_CASE("tasks client contract: in process, over Postgres") {
  testing::TasksFixture f;
  gateway::LocalTasksClient client(f.service, testing::quietLogger(), {2, 16, 5s});
  contracts::checkTasksClientContract(client);
}
