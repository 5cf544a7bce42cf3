#include <grpcpp/create_channel.h>
#include <grpcpp/server_builder.h>

#include <catch2/catch.hpp>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

#include "fakes/memory_task_store.hpp"
#include "fakes/quiet_logger.hpp"
#include "grpc/grpc_tasks_service.hpp"

using namespace workstream;
using namespace std::chrono_literals;
namespace pb = workstream::tasks::v1;

namespace {

// Holds every store operation until opened; counts those that arrived.
class Gate {
 public:
  void enter() {
    std::unique_lock lock(mutex_);
    ++entered_;
    changed_.notify_all();
    changed_.wait(lock, [this] { return open_; });
  }
  bool waitEntered(int n) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 5s, [&] { return entered_ >= n; });
  }
  int entered() {
    std::lock_guard lock(mutex_);
    return entered_;
  }
  void open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int entered_ = 0;
  bool open_ = false;
};

// One GetTask in flight on the callback client; done() once answered.
struct PendingGet {
  grpc::ClientContext context;
  pb::GetTaskRequest request;
  pb::GetTaskResponse response;
  std::mutex mutex;
  std::condition_variable answered;
  std::optional<grpc::Status> status;

  void start(pb::TasksService::Stub& stub) {
    context.set_deadline(std::chrono::system_clock::now() + 10s);
    request.set_id("00000000-0000-4000-8000-000000000000");
    stub.async()->GetTask(&context, &request, &response, [this](grpc::Status s) {
      std::lock_guard lock(mutex);
      status = std::move(s);
      answered.notify_all();
    });
  }
  std::optional<grpc::Status> wait(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex);
    answered.wait_for(lock, timeout, [this] { return status.has_value(); });
    return status;
  }
  std::string code() const {
    const auto& md = context.GetServerTrailingMetadata();
    auto it = md.find("workstream-error-code");
    return it == md.end() ? std::string() : std::string(it->second.data(), it->second.size());
  }
};

std::size_t threadsOfThisProcess() {
  const auto tasks = std::filesystem::directory_iterator("/proc/self/task");
  return static_cast<std::size_t>(std::distance(begin(tasks), end(tasks)));
}

}  // namespace

TEST_CASE(
    "tasks gRPC service: calls wait for its workers, two at most, the excess is refused "
    "UNAVAILABLE at once, and no thread is started for them") {
  fakes::MemoryTaskStore store;
  Gate warmGate, gate;
  tasks::TaskService service(store, systemNow);
  tasks::GrpcTasksService grpcService(service, fakes::quietLogger("test"), nullptr,
                                      {/*workers=*/2, /*queueCapacity=*/2});
  std::vector<std::unique_ptr<PendingGet>> calls;
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&grpcService);
  auto server = builder.BuildAndStart();
  REQUIRE(port != 0);
  auto stub = pb::TasksService::NewStub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
  // However the test ends, the store lets go and every call is answered
  // before the server goes.
  struct Release {
    Gate& warmGate;
    Gate& gate;
    std::vector<std::unique_ptr<PendingGet>>& calls;
    ~Release() {
      warmGate.open();
      gate.open();
      for (auto& call : calls) call->wait(10s);
    }
  } release{warmGate, gate, calls};
  auto startCalls = [&](int n) {
    for (int i = 0; i < n; ++i) {
      calls.push_back(std::make_unique<PendingGet>());
      calls.back()->start(*stub);
    }
  };

  // Two calls at once first, answered: gRPC's own threads, both sides, are
  // up, and the calls took both workers.
  store.beforeEach = [&] { warmGate.enter(); };
  startCalls(2);
  REQUIRE(warmGate.waitEntered(2));
  warmGate.open();
  for (auto& call : calls) {
    REQUIRE(call->wait(5s));
    CHECK(call->status->error_code() == grpc::StatusCode::NOT_FOUND);
  }
  calls.clear();
  const auto threadsBefore = threadsOfThisProcess();

  store.beforeEach = [&] { gate.enter(); };
  // Two calls hold both workers ...
  startCalls(2);
  REQUIRE(gate.waitEntered(2));
  // ... of four more, two wait in the queue and two are refused at once
  // (which two is the order the server takes them in).
  startCalls(4);
  std::vector<PendingGet*> refused, waiting;
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (refused.size() < 2 && std::chrono::steady_clock::now() < deadline) {
    refused.clear();
    for (int i = 2; i < 6; ++i) {
      if (calls[i]->wait(0ms)) refused.push_back(calls[i].get());
    }
    std::this_thread::sleep_for(5ms);
  }
  REQUIRE(refused.size() == 2);
  for (auto* call : refused) {
    CHECK(call->status->error_code() == grpc::StatusCode::UNAVAILABLE);
    CHECK(call->code() == "UNAVAILABLE");
    CHECK(call->status->error_message() == "too many calls to the tasks service are waiting");
  }
  std::this_thread::sleep_for(50ms);
  int unanswered = 0;
  for (auto& call : calls) unanswered += call->wait(0ms) ? 0 : 1;
  CHECK(unanswered == 4);
  CHECK(gate.entered() == 2);
  CHECK(threadsOfThisProcess() == threadsBefore);

  // Once the store answers, the held and the queued calls are answered too.
  gate.open();
  int found = 0;
  for (auto& call : calls) {
    auto status = call->wait(5s);
    REQUIRE(status);
    if (status->error_code() == grpc::StatusCode::NOT_FOUND) {
      CHECK(call->code() == "TASK_NOT_FOUND");
      ++found;
    }
  }
  CHECK(found == 4);
  CHECK(gate.entered() == 4);
  CHECK(threadsOfThisProcess() == threadsBefore);
  server->Shutdown();
}
