#include "support/pg_schema.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>

#include "postgres/migrations.hpp"
#include "workstream/core/uuid.hpp"

namespace workstream::tasks {
extern const std::vector<pg::Migration> kMigrations;
}

namespace workstream::testing {
namespace {

std::string serverUrl() {
  const char* url = std::getenv("WORKSTREAM_POSTGRES_URL");
  if (url == nullptr || *url == '\0') {
    FAIL(
        "WORKSTREAM_POSTGRES_URL is not set: run the tests through scripts/test.sh, "
        "or `eval \"$(scripts/servers.sh start)\"` first");
  }
  return url;
}

}  // namespace

PgSchema::PgSchema(bool migrated) {
  const std::string base = serverUrl();
  auto id = newUuid();
  schema_ = "test_" + id.substr(0, 8) + id.substr(9, 4);
  url_ = base + (base.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" +
         schema_;
  conn_ = PQconnectdb(url_.c_str());
  REQUIRE(PQstatus(conn_) == CONNECTION_OK);
  PQsetNoticeProcessor(
      conn_, [](void*, const char*) {}, nullptr);
  sql("CREATE SCHEMA " + schema_);
  if (migrated) pg::migrate(conn_, tasks::kMigrations, quietLogger());
}

PgSchema::~PgSchema() {
  PQclear(PQexec(conn_, ("DROP SCHEMA " + schema_ + " CASCADE").c_str()));
  PQfinish(conn_);
}

pg::PgResult PgSchema::sql(const std::string& statement) {
  return pg::exec(conn_, statement.c_str());
}

long long PgSchema::count(const std::string& query) { return sql(query).integer(0, 0); }

Logger quietLogger() { return Logger(std::make_shared<LogSink>(stderr, LogLevel::error), "test"); }

}  // namespace workstream::testing
