#include "pg/pg_connection.hpp"

#include <vector>

namespace workstream::pg {
namespace {

constexpr std::string_view kQueryCanceled = "57014";  // statement_timeout fired

std::string firstLine(const char* message) {
  std::string text = message ? message : "";
  if (auto nl = text.find('\n'); nl != std::string::npos) text.resize(nl);
  return text;
}

PgResult check(PGconn* conn, PGresult* raw) {
  PgResult result(raw);
  const auto status = PQresultStatus(raw);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return result;
  if (PQstatus(conn) == CONNECTION_BAD) {
    throw Unavailable("PostgreSQL connection lost: " + firstLine(PQerrorMessage(conn)));
  }
  const char* state = raw ? PQresultErrorField(raw, PG_DIAG_SQLSTATE) : nullptr;
  const std::string sqlstate = state ? state : "";
  const std::string message = firstLine(raw ? PQresultErrorMessage(raw) : PQerrorMessage(conn));
  if (sqlstate == kQueryCanceled) throw TimedOut("PostgreSQL statement timed out: " + message);
  throw PgError("PostgreSQL: " + message, sqlstate);
}

std::vector<const char*> values(std::initializer_list<Param> params, std::vector<std::string>& keep) {
  keep.reserve(params.size());
  std::vector<const char*> out;
  for (const auto& p : params) {
    if (!p) {
      out.push_back(nullptr);
      continue;
    }
    keep.emplace_back(*p);  // libpq wants NUL-terminated values
    out.push_back(keep.back().c_str());
  }
  return out;
}

}  // namespace

long long PgResult::integer(int row, int col) const { return std::stoll(std::string(text(row, col))); }

int PgResult::affected() const {
  const char* n = PQcmdTuples(result_.get());
  return (n && *n) ? std::atoi(n) : 0;
}

void prepare(PGconn* conn, const std::string& name, const std::string& sql) {
  check(conn, PQprepare(conn, name.c_str(), sql.c_str(), 0, nullptr));
}

PgResult execPrepared(PGconn* conn, const char* statement, std::initializer_list<Param> params) {
  std::vector<std::string> keep;
  const auto v = values(params, keep);
  return check(conn, PQexecPrepared(conn, statement, static_cast<int>(v.size()), v.data(), nullptr,
                                    nullptr, 0));
}

PgResult execParams(PGconn* conn, const char* sql, std::initializer_list<Param> params) {
  std::vector<std::string> keep;
  const auto v = values(params, keep);
  return check(conn, PQexecParams(conn, sql, static_cast<int>(v.size()), nullptr, v.data(), nullptr,
                                  nullptr, 0));
}

PgResult exec(PGconn* conn, const char* sql) { return check(conn, PQexec(conn, sql)); }

Transaction::Transaction(PGconn* conn) : conn_(conn) { exec(conn_, "BEGIN"); }

Transaction::~Transaction() {
  if (done_) return;
  // The connection may be gone; a failed ROLLBACK leaves it marked broken.
  PQclear(PQexec(conn_, "ROLLBACK"));
}

void Transaction::commit() {
  exec(conn_, "COMMIT");
  done_ = true;
}

}  // namespace workstream::pg
