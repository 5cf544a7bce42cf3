#pragma once

#include <functional>
#include <vector>

#include "postgres/pg_pool.hpp"
#include "workstream/tasks/task_store.hpp"

namespace workstream::tasks {

// TaskStore on PostgreSQL: each change and its outbox row in one transaction,
// prepared statements on pooled connections.
class PgTaskStore final : public TaskStore {
 public:
  // `eventsWritten` runs after each commit that wrote outbox rows, on the
  // thread that saw it commit; it must not block.
  explicit PgTaskStore(pg::Pool& pool, std::function<void()> eventsWritten = {})
      : pool_(pool), eventsWritten_(std::move(eventsWritten)) {}

  // The statements every pooled connection must have prepared.
  static std::vector<pg::PreparedStatement> preparedStatements();
  // For a pool whose sessions' commits do not NOTIFY the relay (the outbox
  // trigger skips them): only with an `eventsWritten` that wakes it instead.
  static std::vector<pg::SessionSetting> wakesRelaySettings();

  Created create(const Task& task, const OutboxEvent& event,
                 const std::optional<std::string>& idempotencyKey) override;
  std::optional<Task> get(const std::string& id) override;
  // On an idle pooled connection, awaited on the caller's event loop and
  // answered there (pg/pg_async.hpp): only a loop's thread can start one.
  bool tryCreateAsync(const Task& task, const OutboxEvent& event, CreateDone& done) override;
  bool tryGetAsync(const std::string& id, GetDone& done) override;
  std::vector<Task> list(const StoreQuery& query) override;
  Completed complete(const std::string& id, Timestamp at,
                     const std::function<OutboxEvent(const Task&)>& makeEvent) override;

 private:
  void written() const {
    if (eventsWritten_) eventsWritten_();
  }

  pg::Pool& pool_;
  std::function<void()> eventsWritten_;
};

}  // namespace workstream::tasks
