#include "postgres/migrations.hpp"

#include <map>

#include "postgres/pg_connection.hpp"

namespace workstream::pg {
namespace {

// Any fixed number: the advisory lock that serialises migrations.
constexpr const char* kLockKey = "7164505815223470081";

struct Applied {
  std::string name;
  std::string checksum;
};

std::map<int, Applied> appliedMigrations(PGconn* conn) {
  exec(conn,
       "CREATE TABLE IF NOT EXISTS schema_migrations ("
       " version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,"
       " applied_at timestamptz NOT NULL DEFAULT now())");
  auto rows = exec(conn, "SELECT version, name, checksum FROM schema_migrations");
  std::map<int, Applied> out;
  for (int i = 0; i < rows.rows(); ++i) {
    out[static_cast<int>(rows.integer(i, 0))] = {std::string(rows.text(i, 1)),
                                                 std::string(rows.text(i, 2))};
  }
  return out;
}

std::string checksum(PGconn* conn, std::string_view sql) {
  auto result = execParams(conn, "SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex')", {sql});
  return std::string(result.text(0, 0));
}

class AdvisoryLock {
 public:
  explicit AdvisoryLock(PGconn* conn) : conn_(conn) {
    execParams(conn_, "SELECT pg_advisory_lock($1::bigint)", {kLockKey});
  }
  ~AdvisoryLock() {
    PQclear(PQexecParams(conn_, "SELECT pg_advisory_unlock($1::bigint)", 1, nullptr, &kLockKey,
                         nullptr, nullptr, 0));
  }

 private:
  PGconn* conn_;
};

}  // namespace

std::vector<std::string> migrate(PGconn* conn, std::span<const Migration> migrations,
                                 const Logger& log) {
  AdvisoryLock lock(conn);
  const auto applied = appliedMigrations(conn);
  std::vector<std::string> done;
  for (const auto& migration : migrations) {
    const auto sum = checksum(conn, migration.sql);
    if (auto it = applied.find(migration.version); it != applied.end()) {
      if (it->second.checksum != sum) {
        throw MigrationError("migration " + std::string(migration.name) +
                             " was changed after it was applied; add a new migration instead");
      }
      continue;
    }
    try {
      Transaction tx(conn);
      exec(conn, std::string(migration.sql).c_str());
      const auto version = std::to_string(migration.version);
      execParams(conn,
                 "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                 {version, migration.name, sum});
      tx.commit();
    } catch (const PgError& e) {
      throw MigrationError("migration " + std::string(migration.name) + " failed: " + e.what());
    }
    log.info("applied migration", {{"migration", migration.name}});
    done.emplace_back(migration.name);
  }
  for (const auto& [version, known] : applied) {
    bool ours = false;
    for (const auto& m : migrations) ours = ours || m.version == version;
    if (!ours)
      log.warn("the database has a migration this binary does not know",
               {{"migration", known.name}});
  }
  return done;
}

}  // namespace workstream::pg
