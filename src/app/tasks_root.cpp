#include "app/tasks_root.hpp"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/resource_quota.h>
#include <grpcpp/server_builder.h>

#include <iostream>

#include "app/messaging.hpp"
#include "grpc/grpc_tasks_service.hpp"
#include "grpc/health/v1/health.pb.h"
#include "postgres/migrations.hpp"
#include "postgres/pg_outbox_store.hpp"
#include "postgres/pg_task_store.hpp"
#include "rabbitmq/rabbit_publisher.hpp"
#include "tasks/outbox_relay.hpp"

namespace workstream::tasks {
extern const std::vector<pg::Migration> kMigrations;
}

namespace workstream::app {
namespace {

constexpr int kMaxGrpcThreads = 64;
// One spare poller, so a call arriving while another starts finds a thread.
constexpr int kMinGrpcPollers = 2;

pg::PoolOptions poolOptions(const Config& config) {
  pg::PoolOptions options;
  options.url = config.postgresUrl;
  options.size = config.postgresPoolSize;
  options.statementTimeout = config.postgresStatementTimeout;
  options.prepared = tasks::PgTaskStore::preparedStatements();
  return options;
}

// Readiness looks again as soon as the relay has read the outbox, rather
// than at its next tick.
tasks::RelayOptions relayOptions(const Config& config, Readiness& readiness) {
  tasks::RelayOptions options;
  options.batchSize = config.outboxBatchSize;
  options.pollInterval = config.outboxPollInterval;
  options.maxPendingAge = config.outboxMaxAge;
  options.retention = config.outboxRetention;
  options.onFirstRead = [&readiness] { readiness.recheck(); };
  return options;
}

// Migrations may take long, and may wait for another process's: no
// statement timeout.
pg::PoolOptions migrationOptions(const Config& config) {
  pg::PoolOptions options;
  options.url = config.postgresUrl;
  options.size = 1;
  options.statementTimeout = std::chrono::milliseconds(0);
  return options;
}

class TasksModule final : public Module {
 public:
  explicit TasksModule(RoleContext& context)
      : log_(context.log.withService("workstream-tasks")),
        pool_(poolOptions(context.config), log_),
        store_(pool_),
        service_(store_, systemNow),
        grpcService_(service_, log_, &context.metrics),
        publisher_(connectionOptions(context.config, "workstream-tasks outbox relay"),
                   context.config.rabbitmqConfirmTimeout,
                   [&config = context.config](amqp::Connection& c) { declareTopology(c, config); }),
        outboxStore_(context.config.postgresUrl, context.config.postgresStatementTimeout, log_),
        relay_(outboxStore_, publisher_, relayOptions(context.config, context.readiness), log_,
               context.metrics) {
    if (context.config.migrateOnStart) {
      pg::Pool migrationPool(migrationOptions(context.config), log_);
      auto lease = migrationPool.acquire();
      pg::migrate(lease.get(), tasks::kMigrations, log_);
    }
    grpc::EnableDefaultHealthCheckService(true);
    // Reflection (grpcurl without proto files) describes what the linked-in
    // descriptors hold; gRPC's own health service has none, so ours are used.
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
    static_cast<void>(grpc::health::v1::HealthCheckRequest::descriptor());
    grpc::ResourceQuota quota("workstream-tasks");
    quota.SetMaxThreads(kMaxGrpcThreads);
    grpc::ServerBuilder builder;
    builder.SetResourceQuota(quota);
    // The sync server's ThreadManager starts a thread when a call leaves
    // fewer than MIN_POLLERS threads polling, and ends a thread that finishes
    // a call while MAX_POLLERS others poll. The default maximum of 2 made
    // every burst over two calls create and destroy threads. With the maximum
    // at the quota no thread ends before shutdown: the pool grows to the
    // highest concurrency seen, never past kMaxGrpcThreads, and steady load
    // creates none.
    using Option = grpc::ServerBuilder::SyncServerOption;
    builder.SetSyncServerOption(Option::NUM_CQS, 1);
    builder.SetSyncServerOption(Option::MIN_POLLERS, kMinGrpcPollers);
    builder.SetSyncServerOption(Option::MAX_POLLERS, kMaxGrpcThreads);
    int boundPort = 0;
    builder.AddListeningPort(context.config.grpcAddr->str(), grpc::InsecureServerCredentials(),
                             &boundPort);
    builder.RegisterService(&grpcService_);
    server_ = builder.BuildAndStart();
    if (!server_ || boundPort == 0) {
      throw InfrastructureError("cannot listen for gRPC on " + context.config.grpcAddr->str());
    }
    health_ = server_->GetHealthCheckService();
    setServing(false);
    context.readiness.add({"postgres", [this] { return pool_.check(); }});
    context.readiness.add({"outbox", [this] { return relay_.check(); }});
    declareTopologyAtStartup(context.config, log_);
    relay_.start();
    context.readiness.onReport([this](bool ready) { setServing(ready); });
    log_.info("tasks gRPC listening",
              {{"grpc_addr", context.config.grpcAddr->host + ":" + std::to_string(boundPort)}});
  }

  tasks::TaskService& service() { return service_; }

  void stop(std::chrono::steady_clock::time_point deadline) override {
    health_->Shutdown();  // health checks answer NOT_SERVING from now on
    const auto remaining = deadline - std::chrono::steady_clock::now();
    server_->Shutdown(std::chrono::system_clock::now() + remaining);
    server_->Wait();
    relay_.stop();  // what it has not published waits in the outbox
  }

 private:
  // The server as a whole ("") and the tasks service by name follow readiness.
  void setServing(bool serving) {
    health_->SetServingStatus(serving);
    health_->SetServingStatus(tasks::v1::TasksService::service_full_name(), serving);
  }

  Logger log_;
  pg::Pool pool_;
  tasks::PgTaskStore store_;
  tasks::TaskService service_;
  tasks::GrpcTasksService grpcService_;
  amqp::RabbitPublisher publisher_;
  tasks::PgOutboxStore outboxStore_;
  tasks::OutboxRelay relay_;
  std::unique_ptr<grpc::Server> server_;
  grpc::HealthCheckServiceInterface* health_ = nullptr;
};

}  // namespace

TasksRole startTasks(RoleContext& context) {
  auto module = std::make_unique<TasksModule>(context);
  auto& service = module->service();
  return {std::move(module), service};
}

int migrateCommand(const Config& config) {
  Logger log(std::make_shared<LogSink>(stdout, config.logLevel), "workstream-tasks");
  try {
    pg::Pool pool(migrationOptions(config), log);
    auto lease = pool.acquire();
    const auto applied = pg::migrate(lease.get(), tasks::kMigrations, log);
    log.info(applied.empty() ? "schema is up to date" : "schema migrated",
             {{"applied", std::to_string(applied.size())}});
    return 0;
  } catch (const std::exception& e) {
    log.error("migration failed", {{"error", e.what()}});
    return 1;
  }
}

}  // namespace workstream::app
