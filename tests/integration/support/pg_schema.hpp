#pragma once

#include <string>

#include "postgres/pg_connection.hpp"
#include "workstream/core/log.hpp"

namespace workstream::testing {

// A PostgreSQL schema of its own for one test, on the server named by
// WORKSTREAM_POSTGRES_URL (the test fails, saying so, when it is unset).
// Migrated unless told otherwise; dropped afterwards.
class PgSchema {
 public:
  explicit PgSchema(bool migrated = true);
  ~PgSchema();
  PgSchema(const PgSchema&) = delete;
  PgSchema& operator=(const PgSchema&) = delete;

  // A URL whose connections see this schema first.
  const std::string& url() const { return url_; }
  // Runs SQL on a connection of the test's own, in this schema.
  pg::PgResult sql(const std::string& statement);
  long long count(const std::string& query);

 private:
  std::string schema_;
  std::string url_;
  PGconn* conn_ = nullptr;
};

Logger quietLogger();

}  // namespace workstream::testing
