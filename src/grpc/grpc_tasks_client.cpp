#include "grpc/grpc_tasks_client.hpp"

#include <fmt/format.h>
#include <grpcpp/channel.h>
#include <grpcpp/create_channel.h>

#include <condition_variable>
#include <mutex>

#include "workstream/core/backoff.hpp"

namespace workstream::gateway {

// The calls a client has started that gRPC has not yet torn down. A call's
// context holds the channel, and gRPC destroys it on its own callback thread
// once the reply has run; if that were the channel's last reference, the
// channel would shut its callback queue down from inside one of the queue's
// callbacks, which gRPC 1.51 answers with a double free. So the client waits
// here until its calls have let go, and drops the channel itself.
class CallsInFlight {
 public:
  void enter() {
    std::lock_guard lock(mutex_);
    ++count_;
  }
  void leave() {
    std::lock_guard lock(mutex_);
    if (--count_ == 0) idle_.notify_all();
  }
  void waitIdle() {
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [this] { return count_ == 0; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable idle_;
  int count_ = 0;
};

namespace {

namespace pb = workstream::tasks::v1;

Timestamp fromProto(const google::protobuf::Timestamp& t) {
  return Timestamp(std::chrono::microseconds(t.seconds() * 1'000'000 + t.nanos() / 1000));
}

tasks::Task fromProto(const pb::Task& in) {
  tasks::Task task;
  task.id = in.id();
  task.title = in.title();
  if (in.has_description()) task.description = in.description();
  if (in.has_assignee_email()) task.assigneeEmail = in.assignee_email();
  task.status = in.status() == pb::TASK_STATUS_COMPLETED ? tasks::TaskStatus::completed
                                                         : tasks::TaskStatus::open;
  task.createdAt = fromProto(in.created_at());
  task.updatedAt = fromProto(in.updated_at());
  if (in.has_completed_at()) task.completedAt = fromProto(in.completed_at());
  return task;
}

std::string trailer(const grpc::ClientContext& context, const char* key) {
  const auto& md = context.GetServerTrailingMetadata();
  auto it = md.find(key);
  return it == md.end() ? std::string() : std::string(it->second.data(), it->second.size());
}

CallError toError(const grpc::Status& status, const grpc::ClientContext& context) {
  using Kind = CallError::Kind;
  Kind kind = Kind::internal;
  switch (status.error_code()) {
    case grpc::StatusCode::INVALID_ARGUMENT:
      kind = Kind::invalidArgument;
      break;
    case grpc::StatusCode::NOT_FOUND:
      kind = Kind::notFound;
      break;
    case grpc::StatusCode::FAILED_PRECONDITION:
      kind = Kind::failedPrecondition;
      break;
    // Overloaded, or shutting down: try again, perhaps on another replica.
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
    case grpc::StatusCode::CANCELLED:
    case grpc::StatusCode::ABORTED:
      kind = Kind::unavailable;
      break;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      kind = Kind::timedOut;
      break;
    default:
      break;
  }
  return {kind, trailer(context, "workstream-error-code"), status.error_message(),
          trailer(context, "workstream-error-field")};
}

// Counts a call from its start until gRPC has let go of it.
class Tracked {
 public:
  explicit Tracked(std::shared_ptr<CallsInFlight> calls) : calls_(std::move(calls)) {
    calls_->enter();
  }
  ~Tracked() { calls_->leave(); }
  Tracked(const Tracked&) = delete;
  Tracked& operator=(const Tracked&) = delete;

 private:
  std::shared_ptr<CallsInFlight> calls_;
};

// One RPC in flight: what gRPC's callback API needs kept alive until it answers.
template <class Request, class Response>
struct Call {
  explicit Call(std::shared_ptr<CallsInFlight> calls) : tracked(std::move(calls)) {}
  Tracked tracked;  // declared first, so destroyed last: after the context
  grpc::ClientContext context;
  Request request;
  Response response;
};

template <class Request, class Response, class T, class Start, class Convert>
void invoke(const std::shared_ptr<CallsInFlight>& calls, Start start, Request request,
            const CallMeta& meta, std::chrono::milliseconds timeout, Reply<T> reply,
            Convert convert) {
  auto call = std::make_shared<Call<Request, Response>>(calls);
  call->request = std::move(request);
  call->context.set_deadline(std::chrono::system_clock::now() + timeout);
  if (!meta.requestId.empty()) call->context.AddMetadata("x-request-id", meta.requestId);
  if (!meta.traceparent.empty()) call->context.AddMetadata("traceparent", meta.traceparent);
  start(&call->context, &call->request, &call->response,
        [call, reply = std::move(reply), convert](grpc::Status status) {
          if (status.ok()) {
            reply(convert(call->response));
          } else {
            reply(toError(status, call->context));
          }
        });
}

}  // namespace

GrpcTasksClient::GrpcTasksClient(std::shared_ptr<grpc::Channel> channel,
                                 std::chrono::milliseconds timeout)
    : stub_(pb::TasksService::NewStub(channel)),
      timeout_(timeout),
      inFlight_(std::make_shared<CallsInFlight>()) {}

// Every call ends by its deadline, so this wait is bounded by the timeout.
GrpcTasksClient::~GrpcTasksClient() { inFlight_->waitIdle(); }

std::shared_ptr<grpc::Channel> GrpcTasksClient::channelTo(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetServiceConfigJSON(retryServiceConfig());
  // Channelz (gRPC's introspection service, which Workstream does not serve)
  // would count every call on shared atomics.
  args.SetInt(GRPC_ARG_ENABLE_CHANNELZ, 0);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

std::function<CheckResult()> GrpcTasksClient::connectCheck(std::shared_ptr<grpc::Channel> channel,
                                                           std::chrono::milliseconds timeout) {
  return [channel = std::move(channel), timeout] {
    const bool up = channel->WaitForConnected(std::chrono::system_clock::now() + timeout);
    return up ? CheckResult{true, {}} : CheckResult{false, "the tasks service is unreachable"};
  };
}

std::string GrpcTasksClient::retryServiceConfig() {
  const auto seconds = [](std::chrono::milliseconds ms) { return ms.count() / 1000.0; };
  return fmt::format(R"({{"methodConfig": [{{
    "name": [{{"service": "workstream.tasks.v1.TasksService", "method": "GetTask"}},
             {{"service": "workstream.tasks.v1.TasksService", "method": "ListTasks"}}],
    "retryPolicy": {{"maxAttempts": {}, "initialBackoff": "{}s", "maxBackoff": "{}s",
                    "backoffMultiplier": 2, "retryableStatusCodes": ["UNAVAILABLE"]}}}}]}})",
                     kTasksReadAttempts, seconds(kTasksReadRetry.first),
                     seconds(kTasksReadRetry.max));
}

void GrpcTasksClient::create(const tasks::NewTask& task, const CallMeta& meta,
                             Reply<CreatedTask> reply) {
  pb::CreateTaskRequest request;
  request.set_title(task.title);
  if (task.description) request.set_description(*task.description);
  if (task.assigneeEmail) request.set_assignee_email(*task.assigneeEmail);
  if (task.idempotencyKey) request.set_idempotency_key(*task.idempotencyKey);
  invoke<pb::CreateTaskRequest, pb::CreateTaskResponse, CreatedTask>(
      inFlight_, [this](auto... args) { stub_->async()->CreateTask(args...); }, std::move(request),
      meta, timeout_, std::move(reply),
      [](const pb::CreateTaskResponse& r) {
        return CreatedTask{fromProto(r.task()), r.replayed()};
      });
}

void GrpcTasksClient::get(const std::string& id, const CallMeta& meta, Reply<tasks::Task> reply) {
  pb::GetTaskRequest request;
  request.set_id(id);
  invoke<pb::GetTaskRequest, pb::GetTaskResponse, tasks::Task>(
      inFlight_, [this](auto... args) { stub_->async()->GetTask(args...); }, std::move(request),
      meta, timeout_, std::move(reply),
      [](const pb::GetTaskResponse& r) { return fromProto(r.task()); });
}

void GrpcTasksClient::list(const tasks::ListQuery& query, const CallMeta& meta,
                           Reply<tasks::TaskPage> reply) {
  pb::ListTasksRequest request;
  request.set_page_size(query.pageSize);
  request.set_page_token(query.pageToken);
  if (query.status) {
    request.set_status(*query.status == tasks::TaskStatus::open ? pb::TASK_STATUS_OPEN
                                                                : pb::TASK_STATUS_COMPLETED);
  }
  invoke<pb::ListTasksRequest, pb::ListTasksResponse, tasks::TaskPage>(
      inFlight_, [this](auto... args) { stub_->async()->ListTasks(args...); }, std::move(request),
      meta, timeout_, std::move(reply),
      [](const pb::ListTasksResponse& r) {
        tasks::TaskPage page;
        page.tasks.reserve(r.tasks_size());
        for (const auto& t : r.tasks()) page.tasks.push_back(fromProto(t));
        page.nextPageToken = r.next_page_token();
        return page;
      });
}

void GrpcTasksClient::complete(const std::string& id, const CallMeta& meta,
                               Reply<tasks::Task> reply) {
  pb::CompleteTaskRequest request;
  request.set_id(id);
  invoke<pb::CompleteTaskRequest, pb::CompleteTaskResponse, tasks::Task>(
      inFlight_, [this](auto... args) { stub_->async()->CompleteTask(args...); },
      std::move(request), meta, timeout_, std::move(reply),
      [](const pb::CompleteTaskResponse& r) { return fromProto(r.task()); });
}

}  // namespace workstream::gateway
