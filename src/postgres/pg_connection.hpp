#pragma once

// Thin RAII over libpq: results, parameterized statements and transactions.
// Failures throw: Unavailable when the connection broke, TimedOut on a
// statement timeout, PgError for anything else (with its SQLSTATE).

#include <libpq-fe.h>

#include <chrono>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "workstream/core/errors.hpp"

namespace workstream::pg {

class PgError : public InfrastructureError {
 public:
  PgError(const std::string& message, std::string sqlstate)
      : InfrastructureError(message), sqlstate_(std::move(sqlstate)) {}
  const std::string& sqlstate() const { return sqlstate_; }

 private:
  std::string sqlstate_;
};

class PgResult {
 public:
  explicit PgResult(PGresult* result) : result_(result, PQclear) {}
  int rows() const { return PQntuples(result_.get()); }
  bool isNull(int row, int col) const { return PQgetisnull(result_.get(), row, col) != 0; }
  std::string_view text(int row, int col) const {
    return {PQgetvalue(result_.get(), row, col),
            static_cast<std::size_t>(PQgetlength(result_.get(), row, col))};
  }
  std::optional<std::string> optionalText(int row, int col) const {
    if (isNull(row, col)) return std::nullopt;
    return std::string(text(row, col));
  }
  long long integer(int row, int col) const;
  // Rows changed by an INSERT, UPDATE or DELETE.
  int affected() const;

 private:
  std::unique_ptr<PGresult, decltype(&PQclear)> result_;
};

using Param = std::optional<std::string_view>;  // nullopt is SQL NULL

// A new connection to `url` (a libpq URI) with a statement timeout; the
// URL's own server options are kept. Throws Unavailable.
PGconn* connect(const std::string& url, std::chrono::milliseconds statementTimeout,
                std::chrono::milliseconds connectTimeout);

// Takes a statement's result: returned when it succeeded, else the failure
// thrown as said above.
PgResult checkResult(PGconn* conn, PGresult* raw);
// The first line of the connection's last error message.
std::string lastError(PGconn* conn);

// Prepares a named statement on this connection.
void prepare(PGconn* conn, const std::string& name, const std::string& sql);
// Runs a statement prepared on this connection (see Pool), text parameters.
PgResult execPrepared(PGconn* conn, const char* statement, std::initializer_list<Param> params);
// Runs SQL with text parameters, unprepared.
PgResult execParams(PGconn* conn, const char* sql, std::initializer_list<Param> params);
// Runs SQL without parameters; it may hold several statements.
PgResult exec(PGconn* conn, const char* sql);

// BEGIN now; ROLLBACK on destruction unless committed.
class Transaction {
 public:
  explicit Transaction(PGconn* conn);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  PGconn* conn_;
  bool done_ = false;
};

}  // namespace workstream::pg
