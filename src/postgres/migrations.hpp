#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "workstream/core/errors.hpp"
#include "workstream/core/log.hpp"

// libpq's connection type, declared here so that this header, included by
// the composition root, does not pull in libpq-fe.h.
struct pg_conn;
typedef struct pg_conn PGconn;

namespace workstream::pg {

struct Migration {
  int version;
  std::string_view name;  // file name, e.g. 0001_tasks.sql
  std::string_view sql;
};

// The schema cannot be brought up to date: a migration applied earlier was
// changed since, or one failed.
class MigrationError : public InfrastructureError {
 public:
  using InfrastructureError::InfrastructureError;
};

// Applies the migrations not yet recorded in `schema_migrations`, in version
// order, each in a transaction of its own, under an advisory lock so that
// processes starting together take turns. Refuses to run (MigrationError)
// when an applied migration's text has changed. Returns the names applied.
std::vector<std::string> migrate(PGconn* conn, std::span<const Migration> migrations,
                                 const Logger& log);

}  // namespace workstream::pg
