#include <libpq-fe.h>

#include <memory>

#include "probes/probes.hpp"

namespace workstream::probes {
namespace {

CheckResult check(const std::string& url, milliseconds timeout) {
  const auto seconds = std::to_string(std::max<long long>(1, (timeout.count() + 999) / 1000));
  const char* keys[] = {"dbname", "connect_timeout", nullptr};
  const char* values[] = {url.c_str(), seconds.c_str(), nullptr};
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdbParams(keys, values, 1), PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK) return {false, PQerrorMessage(conn.get())};
  std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(conn.get(), "SELECT 1"), PQclear);
  if (PQresultStatus(result.get()) != PGRES_TUPLES_OK) return {false, PQerrorMessage(conn.get())};
  return {true, {}};
}

}  // namespace

Probe postgres(const std::string& url, milliseconds timeout) {
  return [url, timeout] { return check(url, timeout); };
}

}  // namespace workstream::probes
