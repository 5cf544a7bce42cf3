#pragma once

#include "tasks/task_service.hpp"
#include "workstream/core/log.hpp"
#include "workstream/tasks/v1/tasks.grpc.pb.h"

namespace workstream::tasks {

// The gRPC face of TaskService: reads request metadata, honours deadlines,
// and translates outcomes to statuses once, here.
class GrpcTasksService final : public workstream::tasks::v1::TasksService::Service {
 public:
  GrpcTasksService(TaskService& service, Logger log) : service_(service), log_(std::move(log)) {}

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

  TaskService& service_;
  Logger log_;
};

}  // namespace workstream::tasks
