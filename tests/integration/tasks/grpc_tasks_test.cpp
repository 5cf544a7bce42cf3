#include <grpcpp/grpcpp.h>

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include "grpc/grpc_tasks_service.hpp"
#include "tasks_fixture.hpp"

using namespace workstream;
namespace pb = workstream::tasks::v1;
using workstream::testing::TasksFixture;

namespace {

// The tasks gRPC service over a real store, on a loopback port, driven by a
// real client.
struct GrpcFixture : TasksFixture {
  tasks::GrpcTasksService grpcService;
  std::unique_ptr<grpc::Server> server;
  std::unique_ptr<pb::TasksService::Stub> stub;

  explicit GrpcFixture(tasks::GrpcTasksService::Options options = {})
      : grpcService(service, testing::quietLogger(), nullptr, options) {
    int port = 0;
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&grpcService);
    server = builder.BuildAndStart();
    REQUIRE(port != 0);
    stub = pb::TasksService::NewStub(grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                                                         grpc::InsecureChannelCredentials()));
  }
  ~GrpcFixture() { server->Shutdown(); }
};

std::unique_ptr<grpc::ClientContext> contextWithDeadline() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  return context;
}

std::string trailer(const grpc::ClientContext& context, const char* key) {
  const auto& md = context.GetServerTrailingMetadata();
  auto it = md.find(key);
  return it == md.end() ? std::string() : std::string(it->second.data(), it->second.size());
}

}  // namespace

TEST_CASE("tasks gRPC: create, get, list and complete") {
  GrpcFixture f;
  pb::CreateTaskRequest create;
  create.set_title("Review the design");
  create.set_assignee_email("bob@example.com");
  pb::CreateTaskResponse created;
  auto ctx = contextWithDeadline();
  ctx->AddMetadata("x-request-id", "req-42");
  ctx->AddMetadata("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
  REQUIRE(f.stub->CreateTask(ctx.get(), create, &created).ok());
  const auto& task = created.task();
  CHECK(task.title() == "Review the design");
  CHECK(task.status() == pb::TASK_STATUS_OPEN);
  CHECK(task.assignee_email() == "bob@example.com");
  CHECK_FALSE(task.has_description());
  CHECK_FALSE(task.has_completed_at());
  CHECK(task.created_at().seconds() > 0);

  // The trace id of the call is the envelope's.
  auto envelope = f.db.sql("SELECT envelope::text FROM outbox");
  REQUIRE(envelope.rows() == 1);
  CHECK(boost::json::parse(envelope.text(0, 0)).at("trace_id") ==
        "0af7651916cd43dd8448eb211c80319c");

  pb::GetTaskRequest get;
  get.set_id(task.id());
  pb::GetTaskResponse got;
  REQUIRE(f.stub->GetTask(contextWithDeadline().get(), get, &got).ok());
  CHECK(got.task().id() == task.id());

  pb::ListTasksResponse listed;
  REQUIRE(f.stub->ListTasks(contextWithDeadline().get(), pb::ListTasksRequest(), &listed).ok());
  REQUIRE(listed.tasks_size() == 1);
  CHECK(listed.next_page_token().empty());

  pb::CompleteTaskRequest complete;
  complete.set_id(task.id());
  pb::CompleteTaskResponse completed;
  REQUIRE(f.stub->CompleteTask(contextWithDeadline().get(), complete, &completed).ok());
  CHECK(completed.task().status() == pb::TASK_STATUS_COMPLETED);
  CHECK(completed.task().has_completed_at());
  CHECK(f.db.count("SELECT count(*) FROM outbox") == 2);
}

TEST_CASE("tasks gRPC: every error has its status, code and field") {
  GrpcFixture f;
  struct Case {
    const char* name;
    std::function<grpc::Status(grpc::ClientContext*)> call;
    grpc::StatusCode status;
    std::string code;
    std::string field;
  };
  const auto existing = f.create("done");
  REQUIRE(f.service.complete(existing.id, f.context).ok());
  const std::string unknown = "5d2f1c8e-0f4a-4b7e-9a51-0c3b1f2e4d6a";

  auto createWith = [&](std::function<void(pb::CreateTaskRequest&)> edit) {
    return [&, edit](grpc::ClientContext* c) {
      pb::CreateTaskRequest r;
      r.set_title("ok");
      edit(r);
      pb::CreateTaskResponse out;
      return f.stub->CreateTask(c, r, &out);
    };
  };
  auto getId = [&](std::string id) {
    return [&, id](grpc::ClientContext* c) {
      pb::GetTaskRequest r;
      r.set_id(id);
      pb::GetTaskResponse out;
      return f.stub->GetTask(c, r, &out);
    };
  };
  auto completeId = [&](std::string id) {
    return [&, id](grpc::ClientContext* c) {
      pb::CompleteTaskRequest r;
      r.set_id(id);
      pb::CompleteTaskResponse out;
      return f.stub->CompleteTask(c, r, &out);
    };
  };
  auto list = [&](int size, std::string token) {
    return [&, size, token](grpc::ClientContext* c) {
      pb::ListTasksRequest r;
      r.set_page_size(size);
      r.set_page_token(token);
      pb::ListTasksResponse out;
      return f.stub->ListTasks(c, r, &out);
    };
  };
  using grpc::StatusCode;
  const std::vector<Case> cases{
      {"empty title", createWith([](auto& r) { r.set_title("   "); }), StatusCode::INVALID_ARGUMENT,
       "VALIDATION_FAILED", "title"},
      {"long title", createWith([](auto& r) { r.set_title(std::string(201, 'x')); }),
       StatusCode::INVALID_ARGUMENT, "VALIDATION_FAILED", "title"},
      {"control character", createWith([](auto& r) {
         r.set_title(
             "a\x01"
             "b");
       }),
       StatusCode::INVALID_ARGUMENT, "VALIDATION_FAILED", "title"},
      {"long description", createWith([](auto& r) { r.set_description(std::string(10001, 'd')); }),
       StatusCode::INVALID_ARGUMENT, "VALIDATION_FAILED", "description"},
      {"bad email", createWith([](auto& r) { r.set_assignee_email("nobody"); }),
       StatusCode::INVALID_ARGUMENT, "VALIDATION_FAILED", "assignee_email"},
      {"bad key", createWith([](auto& r) { r.set_idempotency_key("has space"); }),
       StatusCode::INVALID_ARGUMENT, "VALIDATION_FAILED", "idempotency_key"},
      {"get bad id", getId("123"), StatusCode::INVALID_ARGUMENT, "VALIDATION_FAILED", "id"},
      {"get unknown", getId(unknown), StatusCode::NOT_FOUND, "TASK_NOT_FOUND", ""},
      {"complete unknown", completeId(unknown), StatusCode::NOT_FOUND, "TASK_NOT_FOUND", ""},
      {"complete twice", completeId(existing.id), StatusCode::FAILED_PRECONDITION,
       "TASK_ALREADY_COMPLETED", ""},
      {"page size", list(1000, ""), StatusCode::INVALID_ARGUMENT, "VALIDATION_FAILED", "page_size"},
      {"page token", list(10, "garbage"), StatusCode::INVALID_ARGUMENT, "INVALID_PAGE_TOKEN",
       "page_token"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    auto ctx = contextWithDeadline();
    const auto status = c.call(ctx.get());
    CHECK(status.error_code() == c.status);
    CHECK(trailer(*ctx, "workstream-error-code") == c.code);
    CHECK(trailer(*ctx, "workstream-error-field") == c.field);
    CHECK_FALSE(status.error_message().empty());
  }
  CHECK(f.db.count("SELECT count(*) FROM outbox") == 2);  // errors emitted nothing
}

TEST_CASE("tasks gRPC: a retried create with the same key returns the same task") {
  GrpcFixture f;
  pb::CreateTaskRequest create;
  create.set_title("Once only");
  create.set_idempotency_key("retry-1");
  pb::CreateTaskResponse first, second;
  REQUIRE(f.stub->CreateTask(contextWithDeadline().get(), create, &first).ok());
  REQUIRE(f.stub->CreateTask(contextWithDeadline().get(), create, &second).ok());
  CHECK(first.task().id() == second.task().id());
  CHECK_FALSE(first.replayed());
  CHECK(second.replayed());

  create.set_title("Something else");
  pb::CreateTaskResponse third;
  auto ctx = contextWithDeadline();
  const auto status = f.stub->CreateTask(ctx.get(), create, &third);
  CHECK(status.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
  CHECK(trailer(*ctx, "workstream-error-code") == "IDEMPOTENCY_KEY_REUSED");
}

// Reads by id wait on the service's event loop, not on a worker: with no
// room at all for a call on a worker, they are answered, and the others
// refused.
TEST_CASE("tasks gRPC: a read by id is answered on the event loop, without a worker") {
  GrpcFixture f({.workers = 1, .queueCapacity = 0});
  const auto task = f.create("Read me", "bob@example.com");

  pb::GetTaskRequest get;
  get.set_id(task.id);
  pb::GetTaskResponse got;
  const auto status = f.stub->GetTask(contextWithDeadline().get(), get, &got);
  INFO(status.error_message());
  REQUIRE(status.ok());
  CHECK(got.task().id() == task.id);
  CHECK(got.task().title() == "Read me");
  CHECK(got.task().assignee_email() == "bob@example.com");

  // A task that is not there is answered from the loop too.
  get.set_id("00000000-0000-4000-8000-000000000000");
  auto ctx = contextWithDeadline();
  CHECK(f.stub->GetTask(ctx.get(), get, &got).error_code() == grpc::StatusCode::NOT_FOUND);
  CHECK(trailer(*ctx, "workstream-error-code") == "TASK_NOT_FOUND");

  // A list needs a worker, and there is no room for one.
  pb::ListTasksResponse listed;
  ctx = contextWithDeadline();
  const auto refused = f.stub->ListTasks(ctx.get(), pb::ListTasksRequest(), &listed);
  CHECK(refused.error_code() == grpc::StatusCode::UNAVAILABLE);
  CHECK_THAT(refused.error_message(), Catch::Contains("too many calls"));
}

TEST_CASE("tasks gRPC: a store that is down answers UNAVAILABLE") {
  TasksFixture f;
  pg::Pool deadPool(testing::taskPoolOptions("postgresql://workstream:x@127.0.0.1:1/none", 1),
                    testing::quietLogger());
  tasks::PgTaskStore deadStore(deadPool);
  tasks::TaskService deadService(deadStore, systemNow);
  tasks::GrpcTasksService grpcService(deadService, testing::quietLogger());
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&grpcService);
  auto server = builder.BuildAndStart();
  auto stub = pb::TasksService::NewStub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
  pb::ListTasksResponse out;
  auto ctx = contextWithDeadline();
  CHECK(stub->ListTasks(ctx.get(), pb::ListTasksRequest(), &out).error_code() ==
        grpc::StatusCode::UNAVAILABLE);
  CHECK(trailer(*ctx, "workstream-error-code") == "UNAVAILABLE");
  server->Shutdown();
}
