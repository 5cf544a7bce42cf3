#pragma once

#include <memory>

#include "workstream/core/log.hpp"
#include "workstream/tasks/outbox.hpp"

// libpq's connection type, declared here so that this header, included by
// the composition root, does not pull in libpq-fe.h.
struct pg_conn;
typedef struct pg_conn PGconn;

namespace workstream::tasks {

// OutboxStore on a PostgreSQL session of its own: leadership is a session
// advisory lock, wake-ups come by LISTEN or from this process. Both are scoped to the schema, so
// deployments that share a database in different schemas do not meet.
class PgOutboxStore final : public OutboxStore {
 public:
  PgOutboxStore(std::string url, std::chrono::milliseconds statementTimeout, Logger log);
  ~PgOutboxStore() override;

  bool lead() override;
  std::vector<PendingEvent> pending(int limit) override;
  void markPublished(const std::vector<std::int64_t>& positions, Timestamp sentAt) override;
  void waitForEvents(std::chrono::milliseconds timeout) override;
  void wake() override;
  void notifyLeader() override;
  OutboxStats stats() override;
  std::int64_t prune(std::chrono::milliseconds retention, int limit) override;
  void reset() override;

 private:
  PGconn* connection();
  template <class F>
  auto guarded(F&& body) -> decltype(body(static_cast<PGconn*>(nullptr)));

  std::string url_;
  std::chrono::milliseconds statementTimeout_;
  Logger log_;
  PGconn* conn_ = nullptr;
  bool leading_ = false;
  std::string channel_;  // LISTEN channel, once leading
  int wakeFd_ = -1;      // an eventfd: wake() ends the poll in waitForEvents
};

}  // namespace workstream::tasks
