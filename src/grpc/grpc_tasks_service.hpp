#pragma once

#include <memory>

#include "tasks/task_service.hpp"
#include "workstream/core/log.hpp"
#include "workstream/core/metrics.hpp"
#include "workstream/core/worker_pool.hpp"
#include "workstream/tasks/v1/tasks.grpc.pb.h"

namespace workstream::tasks {

// The gRPC face of TaskService: reads request metadata, honours deadlines,
// and translates outcomes to statuses once, here. It uses gRPC's callback
// API: gRPC's own few threads take the calls in. A read by id goes to the
// service's event loop, which sends it to Postgres without blocking, on a
// connection it shares with the loop's other reads in pipeline mode, and
// answers as Postgres does. The rest, and reads the store cannot start that
// way, go to a bounded pool of workers, which run them against the store
// and answer. A worker is made when a call finds every worker busy and
// kept, so no thread is made per call, and a call waiting for Postgres
// holds no gRPC thread.
class GrpcTasksService final : public workstream::tasks::v1::TasksService::CallbackService {
 public:
  struct Options {
    // As many as the store has connections: more would only wait for one.
    int workers = 4;
    // Calls queued for a worker beyond this are refused UNAVAILABLE, as the
    // in-process client refuses them.
    std::size_t queueCapacity = 256;
  };

  // With `metrics`, each call's duration is observed by method.
  GrpcTasksService(TaskService& service, Logger log, Metrics* metrics = nullptr)
      : GrpcTasksService(service, std::move(log), metrics, Options{}) {}
  GrpcTasksService(TaskService& service, Logger log, Metrics* metrics, Options options);
  // Answers what waits on the loop (Unavailable, if Postgres has not), runs
  // the calls already queued, then joins the threads: after the server has
  // stopped.
  ~GrpcTasksService() override;

  grpc::ServerUnaryReactor* CreateTask(grpc::CallbackServerContext* context,
                                       const v1::CreateTaskRequest* request,
                                       v1::CreateTaskResponse* response) override;
  grpc::ServerUnaryReactor* GetTask(grpc::CallbackServerContext* context,
                                    const v1::GetTaskRequest* request,
                                    v1::GetTaskResponse* response) override;
  grpc::ServerUnaryReactor* ListTasks(grpc::CallbackServerContext* context,
                                      const v1::ListTasksRequest* request,
                                      v1::ListTasksResponse* response) override;
  grpc::ServerUnaryReactor* CompleteTask(grpc::CallbackServerContext* context,
                                         const v1::CompleteTaskRequest* request,
                                         v1::CompleteTaskResponse* response) override;

 private:
  // Queues `body` for a worker and returns the call's reactor; the worker
  // finishes it with what `body` returns.
  template <class Body>
  grpc::ServerUnaryReactor* call(grpc::CallbackServerContext* context, const char* method,
                                 Body body);
  // On the loop: `start(answer)` tries the store's way without blocking
  // and says whether it started (`answer` then finishes the call with a
  // status); if not, `body` goes to a worker as call() sends it.
  template <class Start, class Body>
  grpc::ServerUnaryReactor* callOnLoop(grpc::CallbackServerContext* context, const char* method,
                                       Start start, Body body);
  template <class Body>
  void queue(grpc::CallbackServerContext* context, grpc::ServerUnaryReactor* reactor,
             const char* method, Body body, std::chrono::steady_clock::time_point started);
  void finish(grpc::ServerUnaryReactor* reactor, const char* method,
              std::chrono::steady_clock::time_point started, const grpc::Status& status) const;

  Histogram* duration(const char* method) const;

  TaskService& service_;
  Logger log_;
  WorkerPool workers_;
  struct Loop;
  std::unique_ptr<Loop> loop_;
  static constexpr const char* kMethods[] = {"CreateTask", "GetTask", "ListTasks", "CompleteTask"};
  Histogram* durations_[4] = {};
};

}  // namespace workstream::tasks
