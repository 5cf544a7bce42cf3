#pragma once

#include "tasks/task_service.hpp"
#include "workstream/core/log.hpp"
#include "workstream/core/metrics.hpp"
#include "workstream/tasks/v1/tasks.grpc.pb.h"

namespace workstream::tasks {

// The gRPC face of TaskService: reads request metadata, honours deadlines,
// and translates outcomes to statuses once, here.
class GrpcTasksService final : public workstream::tasks::v1::TasksService::Service {
 public:
  // With `metrics`, each call's duration is observed by method.
  GrpcTasksService(TaskService& service, Logger log, Metrics* metrics = nullptr);

  grpc::Status CreateTask(grpc::ServerContext* context, const v1::CreateTaskRequest* request,
                          v1::CreateTaskResponse* response) override;
  grpc::Status GetTask(grpc::ServerContext* context, const v1::GetTaskRequest* request,
                       v1::GetTaskResponse* response) override;
  grpc::Status ListTasks(grpc::ServerContext* context, const v1::ListTasksRequest* request,
                         v1::ListTasksResponse* response) override;
  grpc::Status CompleteTask(grpc::ServerContext* context, const v1::CompleteTaskRequest* request,
                            v1::CompleteTaskResponse* response) override;

 private:
  template <class Body>
  grpc::Status call(grpc::ServerContext* context, const char* method, Body&& body);

  Histogram* duration(const char* method) const;

  TaskService& service_;
  Logger log_;
  static constexpr const char* kMethods[] = {"CreateTask", "GetTask", "ListTasks", "CompleteTask"};
  Histogram* durations_[4] = {};
};

}  // namespace workstream::tasks
