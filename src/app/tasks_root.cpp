#include "app/tasks_root.hpp"

#include <algorithm>
#include <thread>

#include "app/messaging.hpp"
#include "grpc/grpc_server.hpp"
#include "grpc/grpc_tasks_service.hpp"
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

pg::PoolOptions poolOptions(const Config& config) {
  pg::PoolOptions options;
  options.url = config.postgresUrl;
  options.size = config.postgresPoolSize;
  options.statementTimeout = config.postgresStatementTimeout;
  options.prepared = tasks::PgTaskStore::preparedStatements();
  // Its commits do not NOTIFY; the store wakes this process's relay instead.
  options.settings = tasks::PgTaskStore::wakesRelaySettings();
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

// A worker per pooled connection, and as many calls queued for them as the
// in-process client queues.
tasks::GrpcTasksService::Options grpcOptions(const Config& config) {
  const int workers = std::max(1, config.postgresPoolSize);
  return {workers, 64 * static_cast<std::size_t>(workers)};
}

auto migrate(const Config& config, const Logger& log) {
  pg::Pool pool(migrationOptions(config), log);
  auto lease = pool.acquire();
  return pg::migrate(lease.get(), tasks::kMigrations, log);
}

class TasksModule final : public Module {
 public:
  explicit TasksModule(RoleContext& context)
      : log_(context.log.withService("workstream-tasks")),
        pool_(poolOptions(context.config), log_),
        store_(pool_, [this] { relay_.eventsWritten(); }),
        service_(store_, systemNow),
        grpcService_(service_, log_, &context.metrics, grpcOptions(context.config)),
        publisher_(connectionOptions(context.config, "workstream-tasks outbox relay"),
                   context.config.rabbitmqConfirmTimeout,
                   [&config = context.config](amqp::Connection& c) { declareTopology(c, config); }),
        outboxStore_(context.config.postgresUrl, context.config.postgresStatementTimeout, log_),
        relay_(outboxStore_, publisher_, relayOptions(context.config, context.readiness), log_,
               context.metrics) {
    if (context.config.migrateOnStart) migrate(context.config, log_);
    // Listening only now: no call reaches a schema not yet migrated.
    server_ = std::make_unique<rpc::GrpcServer>(
        rpc::GrpcServerOptions{*context.config.grpcAddr, "workstream-tasks"},
        std::vector<grpc::Service*>{&grpcService_},
        std::vector<std::string>{tasks::v1::TasksService::service_full_name()});
    context.dependencies.require(Dependency::postgres,
                                 [this] { return [this] { return pool_.check(); }; });
    context.readiness.add({"outbox", [this] { return relay_.check(); }});
    declareTopologyAtStartup(context.config, log_);
    relay_.start();
    // The pool's connections are opened now, in the background, not by the
    // first calls under load (a connection takes a backend's start-up).
    filler_ = std::jthread([this] { pool_.fill(); });
    // The server as a whole and the tasks service by name follow readiness.
    context.readiness.onReport([this](bool ready) { server_->setServing(ready); });
    log_.info("tasks gRPC listening", {{"grpc_addr", server_->bound().str()}});
  }

  tasks::TaskService& service() { return service_; }

  void stop(std::chrono::steady_clock::time_point deadline) override {
    server_->stop(deadline);
    relay_.stop();  // what it has not published waits in the outbox
  }

 private:
  Logger log_;
  pg::Pool pool_;
  tasks::PgTaskStore store_;
  tasks::TaskService service_;
  tasks::GrpcTasksService grpcService_;
  amqp::RabbitPublisher publisher_;
  tasks::PgOutboxStore outboxStore_;
  tasks::OutboxRelay relay_;
  std::unique_ptr<rpc::GrpcServer> server_;
  std::jthread filler_;  // last: joined first, before the pool goes
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
    const auto applied = migrate(config, log);
    log.info(applied.empty() ? "schema is up to date" : "schema migrated",
             {{"applied", std::to_string(applied.size())}});
    return 0;
  } catch (const std::exception& e) {
    log.error("migration failed", {{"error", e.what()}});
    return 1;
  }
}

}  // namespace workstream::app
