#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "workstream/core/readiness.hpp"
#include "workstream/gateway/tasks_client.hpp"
#include "workstream/tasks/v1/tasks.grpc.pb.h"

namespace workstream::gateway {

class CallsInFlight;

// TasksClient over gRPC's callback API. Retries of UNAVAILABLE for reads come
// from the channel's service config (see retryServiceConfig()).
class GrpcTasksClient final : public TasksClient {
 public:
  GrpcTasksClient(std::shared_ptr<grpc::Channel> channel, std::chrono::milliseconds timeout);
  // Waits until every call it started has been torn down by gRPC.
  ~GrpcTasksClient() override;

  // The service config a channel to the tasks service should carry: reads
  // (GetTask, ListTasks) are retried on UNAVAILABLE with backoff.
  static std::string retryServiceConfig();
  // A channel to the tasks service at `address` (host:port) carrying it.
  static std::shared_ptr<grpc::Channel> channelTo(const std::string& address);
  // The readiness of a tasks service elsewhere: up while `channel` can
  // connect to it within `timeout`.
  static std::function<CheckResult()> connectCheck(
      std::shared_ptr<grpc::Channel> channel,
      std::chrono::milliseconds timeout = std::chrono::seconds(2));

  void create(const tasks::NewTask& task, const CallMeta& meta, Reply<CreatedTask> reply) override;
  void get(const std::string& id, const CallMeta& meta, Reply<tasks::Task> reply) override;
  void list(const tasks::ListQuery& query, const CallMeta& meta,
            Reply<tasks::TaskPage> reply) override;
  void complete(const std::string& id, const CallMeta& meta, Reply<tasks::Task> reply) override;

 private:
  std::unique_ptr<tasks::v1::TasksService::Stub> stub_;
  std::chrono::milliseconds timeout_;
  std::shared_ptr<CallsInFlight> inFlight_;
};

}  // namespace workstream::gateway
