#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "postgres/pg_pool.hpp"
#include "workstream/tasks/task_store.hpp"

namespace workstream::pg {
class AsyncReader;
}

namespace workstream::tasks {

// TaskStore on PostgreSQL: each change and its outbox row in one transaction,
// prepared statements on pooled connections.
class PgTaskStore final : public TaskStore {
 public:
  explicit PgTaskStore(pg::Pool& pool);
  ~PgTaskStore() override;

  // The statements every pooled connection must have prepared.
  static std::vector<pg::PreparedStatement> preparedStatements();

  Created create(const Task& task, const OutboxEvent& event,
                 const std::optional<std::string>& idempotencyKey) override;
  std::optional<Task> get(const std::string& id) override;
  // On an idle pooled connection, answered on the store's reader thread
  // (started by the first such read).
  bool tryGetAsync(const std::string& id, GetDone& done) override;
  std::vector<Task> list(const StoreQuery& query) override;
  Completed complete(const std::string& id, Timestamp at,
                     const std::function<OutboxEvent(const Task&)>& makeEvent) override;

 private:
  pg::Pool& pool_;
  std::once_flag readerStarted_;
  std::unique_ptr<pg::AsyncReader> reader_;
};

}  // namespace workstream::tasks
