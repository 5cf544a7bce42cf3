#include "ops/outbox_status.hpp"

#include <fmt/format.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cmath>
#include <iostream>

#include "ops/commands.hpp"
#include "postgres/pg_connection.hpp"

namespace workstream::ops {
namespace {

// The relay's lock key (see PgOutboxStore::lead) as pg_locks shows a bigint
// key: its high half in classid, its low half in objid.
constexpr const char* kRelayHolder =
    "WITH k AS (SELECT hashtext(current_schema() || '.workstream_outbox_relay')::bigint AS key)"
    " SELECT a.pid, coalesce(a.application_name, ''), coalesce(host(a.client_addr), 'local "
    "socket'),"
    " coalesce(extract(epoch FROM now() - a.backend_start), 0)"
    " FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid, k"
    " WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1"
    " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    " AND l.classid::bigint = ((k.key >> 32) & 4294967295)"
    " AND l.objid::bigint = (k.key & 4294967295)";

constexpr const char* kCounts =
    "SELECT current_schema(), count(*) FILTER (WHERE published_at IS NULL),"
    " coalesce(extract(epoch FROM now() - min(created_at) FILTER (WHERE published_at IS NULL)), 0),"
    " count(*) FILTER (WHERE published_at >= now() - interval '1 minute')"
    " FROM outbox";

OutboxStatus readStatus(PGconn* conn) {
  OutboxStatus status;
  auto counts = pg::exec(conn, kCounts);
  status.schema = std::string(counts.text(0, 0));
  status.pending = counts.integer(0, 1);
  status.oldestPendingSeconds = std::stod(std::string(counts.text(0, 2)));
  status.publishedLastMinute = counts.integer(0, 3);
  auto holder = pg::exec(conn, kRelayHolder);
  if (holder.rows() > 0) {
    status.relay =
        RelayHolder{holder.integer(0, 0), std::string(holder.text(0, 1)),
                    std::string(holder.text(0, 2)), std::stod(std::string(holder.text(0, 3)))};
  }
  return status;
}

}  // namespace

std::string renderOutboxStatus(const OutboxStatus& s, bool json) {
  if (json) {
    boost::json::value relay = nullptr;
    if (s.relay) {
      relay = boost::json::object{{"application_name", s.relay->applicationName},
                                  {"backend_pid", s.relay->backendPid},
                                  {"client", s.relay->client},
                                  {"connected_seconds", std::llround(s.relay->connectedSeconds)}};
    }
    return boost::json::serialize(boost::json::object{
               {"schema", s.schema},
               {"pending", s.pending},
               {"oldest_pending_ms", std::llround(s.oldestPendingSeconds * 1000)},
               {"published_last_minute", s.publishedLastMinute},
               {"active_relay", relay}}) +
           "\n";
  }
  std::string relay = "none";
  if (s.relay) {
    relay = fmt::format("{} (backend pid {}, from {}, connected {:.0f}s)",
                        s.relay->applicationName.empty() ? "unnamed" : s.relay->applicationName,
                        s.relay->backendPid, s.relay->client, s.relay->connectedSeconds);
  }
  return fmt::format(
      "outbox of schema {}\n"
      "  pending                 {}\n"
      "  oldest pending age      {:.1f}s\n"
      "  published last minute   {}\n"
      "  active relay            {}\n",
      s.schema, s.pending, s.oldestPendingSeconds, s.publishedLastMinute, relay);
}

int outboxStatusCommand(const Config& config, bool json) {
  try {
    PGconn* conn =
        pg::connect(config.postgresUrl, std::chrono::seconds(10), std::chrono::seconds(3));
    std::unique_ptr<PGconn, decltype(&PQfinish)> owned(conn, PQfinish);
    std::cout << renderOutboxStatus(readStatus(conn), json);
    return 0;
  } catch (const InfrastructureError& e) {
    std::cerr << "workstream: outbox status: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace workstream::ops
