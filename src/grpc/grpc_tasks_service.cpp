#include "grpc/grpc_tasks_service.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <thread>

#include "tasks/call_failure.hpp"
#include "workstream/core/event_loop.hpp"

namespace workstream::tasks {
namespace {

namespace pb = workstream::tasks::v1;

std::string metadata(const grpc::ServerContextBase* context, const char* key) {
  const auto& md = context->client_metadata();
  auto it = md.find(key);
  return it == md.end() ? std::string() : std::string(it->second.data(), it->second.size());
}

CallContext callContext(const grpc::ServerContextBase* context) {
  return callContextOf(metadata(context, "x-request-id"), metadata(context, "traceparent"));
}

google::protobuf::Timestamp toProto(Timestamp t) {
  const auto micros = t.time_since_epoch().count();
  google::protobuf::Timestamp out;
  out.set_seconds(micros / 1'000'000);
  out.set_nanos(static_cast<int>(micros % 1'000'000) * 1000);
  return out;
}

void toProto(const Task& task, pb::Task* out) {
  out->set_id(task.id);
  out->set_title(task.title);
  if (task.description) out->set_description(*task.description);
  if (task.assigneeEmail) out->set_assignee_email(*task.assigneeEmail);
  out->set_status(task.status == TaskStatus::open ? pb::TASK_STATUS_OPEN
                                                  : pb::TASK_STATUS_COMPLETED);
  *out->mutable_created_at() = toProto(task.createdAt);
  *out->mutable_updated_at() = toProto(task.updatedAt);
  if (task.completedAt) *out->mutable_completed_at() = toProto(*task.completedAt);
}

grpc::StatusCode statusCodeOf(CallFailure::Kind kind) {
  using Kind = CallFailure::Kind;
  switch (kind) {
    case Kind::invalidArgument:
      return grpc::StatusCode::INVALID_ARGUMENT;
    case Kind::notFound:
      return grpc::StatusCode::NOT_FOUND;
    case Kind::failedPrecondition:
      return grpc::StatusCode::FAILED_PRECONDITION;
    case Kind::unavailable:
      return grpc::StatusCode::UNAVAILABLE;
    case Kind::timedOut:
      return grpc::StatusCode::DEADLINE_EXCEEDED;
    case Kind::internal:
      break;
  }
  return grpc::StatusCode::INTERNAL;
}

grpc::Status fail(grpc::ServerContextBase* context, std::string_view code, grpc::StatusCode status,
                  const std::string& message, const std::string& field = {}) {
  context->AddTrailingMetadata("workstream-error-code", std::string(code));
  if (!field.empty()) context->AddTrailingMetadata("workstream-error-field", field);
  return {status, message};
}

grpc::Status fail(grpc::ServerContextBase* context, const CallFailure& failure) {
  return fail(context, failure.code, statusCodeOf(failure.kind), failure.message, failure.field);
}

grpc::Status fail(grpc::ServerContextBase* context, const TaskError& error) {
  return fail(context, failureOf(error));
}

}  // namespace

// One thread running an event loop until the service goes.
struct GrpcTasksService::Loop {
  boost::asio::io_context io{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> busy{io.get_executor()};
  std::thread thread{[this] { EventLoop::run(io); }};

  ~Loop() {
    EventLoop::stop(io);
    thread.join();
  }
};

GrpcTasksService::GrpcTasksService(TaskService& service, Logger log, Metrics* metrics,
                                   Options options)
    : service_(service),
      log_(std::move(log)),
      workers_(options.workers, options.queueCapacity, "tasks-grpc"),
      loop_(std::make_unique<Loop>()) {
  if (metrics == nullptr) return;
  for (std::size_t i = 0; i < std::size(kMethods); ++i) {
    durations_[i] =
        &metrics->histogram("workstream_grpc_server_duration_seconds",
                            "Time the tasks gRPC service took for a call, by method",
                            latencyBuckets(), std::string("method=\"") + kMethods[i] + "\"");
  }
}

Histogram* GrpcTasksService::duration(const char* method) const {
  for (std::size_t i = 0; i < std::size(kMethods); ++i) {
    if (std::string_view(kMethods[i]) == method) return durations_[i];
  }
  return nullptr;
}

GrpcTasksService::~GrpcTasksService() {
  loop_.reset();
  workers_.stop();
}

void GrpcTasksService::finish(grpc::ServerUnaryReactor* reactor, const char* method,
                              std::chrono::steady_clock::time_point started,
                              const grpc::Status& status) const {
  if (auto* histogram = duration(method)) {
    histogram->observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }
  reactor->Finish(status);
}

template <class Body>
void GrpcTasksService::queue(grpc::CallbackServerContext* context,
                             grpc::ServerUnaryReactor* reactor, const char* method, Body body,
                             std::chrono::steady_clock::time_point started) {
  auto job = [this, context, reactor, method, body = std::move(body), started] {
    const CallContext call = callContext(context);
    grpc::Status status;
    if (context->deadline() < std::chrono::system_clock::now()) {
      status = fail(context, deadlinePassed());
    } else {
      try {
        status = body(call);
      } catch (...) {
        status = fail(context, currentFailure(log_, method, call));
      }
    }
    finish(reactor, method, started, status);
  };
  if (!workers_.trySubmit(std::move(job))) {
    reactor->Finish(fail(context, "UNAVAILABLE", grpc::StatusCode::UNAVAILABLE,
                         "too many calls to the tasks service are waiting"));
  }
}

template <class Body>
grpc::ServerUnaryReactor* GrpcTasksService::call(grpc::CallbackServerContext* context,
                                                 const char* method, Body body) {
  auto* reactor = context->DefaultReactor();
  queue(context, reactor, method, std::move(body), std::chrono::steady_clock::now());
  return reactor;
}

template <class Start, class Body>
grpc::ServerUnaryReactor* GrpcTasksService::callOnLoop(grpc::CallbackServerContext* context,
                                                       const char* method, Start start, Body body) {
  auto* reactor = context->DefaultReactor();
  const auto started = std::chrono::steady_clock::now();
  boost::asio::post(loop_->io, [this, context, reactor, method, start = std::move(start),
                                body = std::move(body), started]() mutable {
    if (context->deadline() < std::chrono::system_clock::now()) {
      return finish(reactor, method, started, fail(context, deadlinePassed()));
    }
    auto answer = [this, context, reactor, method, started](grpc::Status status) {
      finish(reactor, method, started, status);
    };
    if (!start(answer)) queue(context, reactor, method, std::move(body), started);
  });
  return reactor;
}

grpc::ServerUnaryReactor* GrpcTasksService::CreateTask(grpc::CallbackServerContext* context,
                                                       const pb::CreateTaskRequest* request,
                                                       pb::CreateTaskResponse* response) {
  return call(context, "CreateTask", [=, this](const CallContext& call) {
    NewTask task{request->title(), std::nullopt, std::nullopt, std::nullopt};
    if (request->has_description()) task.description = request->description();
    if (request->has_assignee_email()) task.assigneeEmail = request->assignee_email();
    if (request->has_idempotency_key()) task.idempotencyKey = request->idempotency_key();
    auto created = service_.create(std::move(task), call);
    if (!created) return fail(context, created.error());
    toProto(created->task, response->mutable_task());
    response->set_replayed(created->replayed);
    log_.info(created->replayed ? "task create replayed" : "task created",
              {{"task_id", created->task.id},
               {"request_id", call.requestId},
               {"trace_id", call.traceId}});
    return grpc::Status::OK;
  });
}

grpc::ServerUnaryReactor* GrpcTasksService::GetTask(grpc::CallbackServerContext* context,
                                                    const pb::GetTaskRequest* request,
                                                    pb::GetTaskResponse* response) {
  auto start = [=, this](auto answer) {
    TaskService::GetDone done = [=, this](Result<Task, TaskError> task, std::exception_ptr error) {
      if (error) {
        try {
          std::rethrow_exception(error);
        } catch (...) {
          return answer(fail(context, currentFailure(log_, "GetTask", callContext(context))));
        }
      }
      if (!task) return answer(fail(context, task.error()));
      toProto(*task, response->mutable_task());
      answer(grpc::Status::OK);
    };
    return service_.tryGetAsync(request->id(), done);
  };
  return callOnLoop(context, "GetTask", start, [=, this](const CallContext&) {
    auto task = service_.get(request->id());
    if (!task) return fail(context, task.error());
    toProto(*task, response->mutable_task());
    return grpc::Status::OK;
  });
}

grpc::ServerUnaryReactor* GrpcTasksService::ListTasks(grpc::CallbackServerContext* context,
                                                      const pb::ListTasksRequest* request,
                                                      pb::ListTasksResponse* response) {
  return call(context, "ListTasks", [=, this](const CallContext&) {
    ListQuery query{request->page_size(), request->page_token(), std::nullopt};
    if (request->status() == pb::TASK_STATUS_OPEN) query.status = TaskStatus::open;
    if (request->status() == pb::TASK_STATUS_COMPLETED) query.status = TaskStatus::completed;
    if (!pb::TaskStatus_IsValid(request->status())) {
      return fail(context, "VALIDATION_FAILED", grpc::StatusCode::INVALID_ARGUMENT,
                  "unknown task status", "status");
    }
    auto page = service_.list(query);
    if (!page) return fail(context, page.error());
    for (const auto& task : page->tasks) toProto(task, response->add_tasks());
    response->set_next_page_token(page->nextPageToken);
    return grpc::Status::OK;
  });
}

grpc::ServerUnaryReactor* GrpcTasksService::CompleteTask(grpc::CallbackServerContext* context,
                                                         const pb::CompleteTaskRequest* request,
                                                         pb::CompleteTaskResponse* response) {
  return call(context, "CompleteTask", [=, this](const CallContext& call) {
    auto task = service_.complete(request->id(), call);
    if (!task) return fail(context, task.error());
    toProto(*task, response->mutable_task());
    log_.info("task completed",
              {{"task_id", task->id}, {"request_id", call.requestId}, {"trace_id", call.traceId}});
    return grpc::Status::OK;
  });
}

}  // namespace workstream::tasks
