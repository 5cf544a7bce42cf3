#pragma once

#include "postgres/pg_task_store.hpp"
#include "support/pg_schema.hpp"
#include "tasks/task_service.hpp"

namespace workstream::testing {

inline pg::PoolOptions taskPoolOptions(const std::string& url, int size = 8) {
  pg::PoolOptions options;
  options.url = url;
  options.size = size;
  options.prepared = tasks::PgTaskStore::preparedStatements();
  return options;
}

// The tasks module's logic over a real PostgreSQL store in a fresh schema.
struct TasksFixture {
  PgSchema db;
  pg::Pool pool{taskPoolOptions(db.url(), 20), quietLogger()};
  tasks::PgTaskStore store{pool};
  tasks::TaskService service{store, systemNow};
  tasks::CallContext context{"req-1", "4bf92f3577b34da6a3ce929d0e0e4736"};

  tasks::Task create(const std::string& title, std::optional<std::string> assignee = std::nullopt) {
    auto created =
        service.create({title, std::nullopt, std::move(assignee), std::nullopt}, context);
    REQUIRE(created.ok());
    return created->task;
  }
};

}  // namespace workstream::testing
