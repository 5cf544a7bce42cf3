// The TasksClient contract over Postgres: GrpcTasksClient against the gRPC
// service on a loopback port, and LocalTasksClient called on an event loop
// as the HTTP server calls it (its gets wait on that loop); the in-process
// client meets it over the in-memory store in tests/unit/contracts too.
#include <grpcpp/grpcpp.h>

#include <catch2/catch.hpp>

#include "contracts/tasks_client_contract.hpp"
#include "gateway/local_tasks_client.hpp"
#include "grpc/grpc_tasks_client.hpp"
#include "grpc/grpc_tasks_service.hpp"
#include "support/loop_thread.hpp"
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

namespace {

// Makes each call on the loop, as the HTTP server's handlers do.
class OnLoop final : public gateway::TasksClient {
 public:
  OnLoop(testing::LoopThread& loop, gateway::TasksClient& inner) : loop_(loop), inner_(inner) {}
  void create(const tasks::NewTask& task, const gateway::CallMeta& meta,
              gateway::Reply<gateway::CreatedTask> reply) override {
    post([=, this] { inner_.create(task, meta, reply); });
  }
  void get(const std::string& id, const gateway::CallMeta& meta,
           gateway::Reply<tasks::Task> reply) override {
    post([=, this] { inner_.get(id, meta, reply); });
  }
  void list(const tasks::ListQuery& query, const gateway::CallMeta& meta,
            gateway::Reply<tasks::TaskPage> reply) override {
    post([=, this] { inner_.list(query, meta, reply); });
  }
  void complete(const std::string& id, const gateway::CallMeta& meta,
                gateway::Reply<tasks::Task> reply) override {
    post([=, this] { inner_.complete(id, meta, reply); });
  }

 private:
  template <class F>
  void post(F f) {
    boost::asio::post(loop_.io(), std::move(f));
  }
  testing::LoopThread& loop_;
  gateway::TasksClient& inner_;
};

}  // namespace

TEST_CASE("tasks client contract: in process on an event loop, over Postgres") {
  testing::TasksFixture f;
  testing::LoopThread loop;
  gateway::LocalTasksClient client(f.service, testing::quietLogger(), {2, 16, 5s});
  OnLoop onLoop(loop, client);
  contracts::checkTasksClientContract(onLoop);
  loop.stop();  // before the client: what waits on the loop answers first
}
