#include "postgres/pg_connection.hpp"

#include <algorithm>
#include <chrono>
#include <vector>

namespace workstream::pg {
namespace {

constexpr std::string_view kQueryCanceled = "57014";  // statement_timeout fired

std::string firstLine(const char* message) {
  std::string text = message ? message : "";
  if (auto nl = text.find('\n'); nl != std::string::npos) text.resize(nl);
  return text;
}

std::vector<const char*> values(std::initializer_list<Param> params,
                                std::vector<std::string>& keep) {
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

std::string seconds(std::chrono::milliseconds ms) {
  return std::to_string(std::max<long long>(1, (ms.count() + 999) / 1000));
}

// Server options from the URL (say, a search_path) come first; ours follow.
std::string urlOptions(const std::string& url) {
  std::string out;
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  PQfreemem(error);
  for (auto* o = options; o && o->keyword; ++o) {
    if (std::string_view(o->keyword) == "options" && o->val) out = std::string(o->val) + " ";
  }
  PQconninfoFree(options);
  return out;
}

}  // namespace

std::string lastError(PGconn* conn) { return firstLine(PQerrorMessage(conn)); }

PgResult checkResult(PGconn* conn, PGresult* raw) {
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

PGconn* connect(const std::string& url, std::chrono::milliseconds statementTimeout,
                std::chrono::milliseconds connectTimeout) {
  const std::string timeout = seconds(connectTimeout);
  const std::string settings = urlOptions(url) +
                               "-c statement_timeout=" + std::to_string(statementTimeout.count()) +
                               " -c idle_in_transaction_session_timeout=60000";
  // Keepalives and a TCP user timeout: a partitioned peer is noticed in
  // about half a minute, and a relay's lock does not outlive it for hours.
  const char* keys[] = {"dbname",
                        "connect_timeout",
                        "options",
                        "application_name",
                        "keepalives",
                        "keepalives_idle",
                        "keepalives_interval",
                        "keepalives_count",
                        "tcp_user_timeout",
                        nullptr};
  const char* values[] = {
      url.c_str(), timeout.c_str(), settings.c_str(), "workstream", "1", "10", "5",
      "3",         "30000",         nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, 1);
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string error = PQerrorMessage(conn);
    PQfinish(conn);
    throw Unavailable("cannot connect to PostgreSQL: " + error.substr(0, error.find('\n')));
  }
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);  // NOTICEs are not errors
  return conn;
}

long long PgResult::integer(int row, int col) const {
  return std::stoll(std::string(text(row, col)));
}

int PgResult::affected() const {
  const char* n = PQcmdTuples(result_.get());
  return (n && *n) ? std::atoi(n) : 0;
}

void prepare(PGconn* conn, const std::string& name, const std::string& sql) {
  checkResult(conn, PQprepare(conn, name.c_str(), sql.c_str(), 0, nullptr));
}

PgResult execPrepared(PGconn* conn, const char* statement, std::initializer_list<Param> params) {
  std::vector<std::string> keep;
  const auto v = values(params, keep);
  return checkResult(conn, PQexecPrepared(conn, statement, static_cast<int>(v.size()), v.data(),
                                          nullptr, nullptr, 0));
}

PgResult execParams(PGconn* conn, const char* sql, std::initializer_list<Param> params) {
  std::vector<std::string> keep;
  const auto v = values(params, keep);
  return checkResult(conn, PQexecParams(conn, sql, static_cast<int>(v.size()), nullptr, v.data(),
                                        nullptr, nullptr, 0));
}

PgResult exec(PGconn* conn, const char* sql) { return checkResult(conn, PQexec(conn, sql)); }

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
