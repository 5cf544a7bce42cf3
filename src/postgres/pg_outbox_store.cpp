#include "postgres/pg_outbox_store.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <array>

#include "postgres/pg_connection.hpp"

namespace workstream::tasks {
namespace {

std::string relayName() {
  std::array<char, 256> host{};
  if (gethostname(host.data(), host.size() - 1) != 0) host[0] = '\0';
  // The pid first: application_name keeps 63 bytes, and a long host name is cut.
  return "workstream relay pid=" + std::to_string(getpid()) + " host=" + std::string(host.data());
}

// The LISTEN channel: the schema's, at a fixed length (migration 0003).
constexpr const char* kChannel = "'wso_' || md5(current_schema())";

// Prepared once per session: the relay runs them for every batch.
// Trace id and producer come from their columns; rows written before
// migration 0005 have only the envelope to give them.
constexpr const char* kPending =
    "SELECT position, event_id, event_type, routing_key, envelope::text,"
    " coalesce(trace_id, envelope->>'trace_id', ''),"
    " coalesce(producer, envelope->>'producer', ''),"
    " extract(epoch FROM created_at)::bigint,"
    " (extract(epoch FROM created_at) * 1000000)::bigint"
    " FROM outbox WHERE published_at IS NULL ORDER BY position LIMIT $1";
constexpr const char* kMarkPublished =
    "UPDATE outbox SET published_at = timestamptz 'epoch' + $2::bigint * interval '1 microsecond'"
    " WHERE position = ANY($1::bigint[])";
// One bounded batch, oldest first: a short statement whose row locks are
// on published rows only, which nothing on the request path touches.
constexpr const char* kPrune =
    "DELETE FROM outbox WHERE position IN (SELECT position FROM outbox"
    " WHERE published_at < now() - $1::bigint * interval '1 millisecond'"
    " ORDER BY position LIMIT $2)";

}  // namespace

PgOutboxStore::PgOutboxStore(std::string url, std::chrono::milliseconds statementTimeout,
                             Logger log)
    : url_(std::move(url)),
      statementTimeout_(statementTimeout),
      log_(std::move(log)),
      wakeFd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (wakeFd_ < 0) throw InfrastructureError("cannot create the outbox relay's wake-up eventfd");
}

PgOutboxStore::~PgOutboxStore() {
  reset();
  close(wakeFd_);
}

void PgOutboxStore::reset() {
  if (conn_ != nullptr) PQfinish(conn_);
  conn_ = nullptr;
  leading_ = false;
}

// The session's application_name names this process, so `workstream outbox
// status` can say which relay holds the lock (pg_stat_activity shows it).
PGconn* PgOutboxStore::connection() {
  if (conn_ != nullptr) return conn_;
  PGconn* conn = pg::connect(url_, statementTimeout_, std::chrono::seconds(2));
  try {
    pg::execParams(conn, "SELECT set_config('application_name', $1, false)", {relayName()});
    pg::prepare(conn, "pending", kPending);
    pg::prepare(conn, "mark_published", kMarkPublished);
    pg::prepare(conn, "prune", kPrune);
  } catch (const InfrastructureError&) {
    PQfinish(conn);
    throw;
  }
  conn_ = conn;
  return conn_;
}

// A failure that broke the session also lost leadership: start over.
template <class F>
auto PgOutboxStore::guarded(F&& body) -> decltype(body(static_cast<PGconn*>(nullptr))) {
  try {
    return body(connection());
  } catch (const Unavailable&) {
    reset();
    throw;
  }
}

bool PgOutboxStore::lead() {
  return guarded([this](PGconn* conn) {
    if (leading_) return true;
    // One relay per schema: the lock key and the channel are the schema's.
    const auto query = std::string(
                           "SELECT pg_try_advisory_lock(hashtext(current_schema() || "
                           "'.workstream_outbox_relay')), ") +
                       kChannel;
    auto result = pg::exec(conn, query.c_str());
    if (result.text(0, 0) != "t") return false;
    channel_ = std::string(result.text(0, 1));
    char* quoted = PQescapeIdentifier(conn, channel_.data(), channel_.size());
    const std::string listen = std::string("LISTEN ") + quoted;
    PQfreemem(quoted);
    pg::exec(conn, listen.c_str());
    leading_ = true;
    return true;
  });
}

std::vector<PendingEvent> PgOutboxStore::pending(int limit) {
  return guarded([limit](PGconn* conn) {
    const auto limitText = std::to_string(limit);
    auto rows = pg::execPrepared(conn, "pending", {limitText});
    std::vector<PendingEvent> events;
    events.reserve(rows.rows());
    for (int i = 0; i < rows.rows(); ++i) {
      events.push_back({rows.integer(i, 0), std::string(rows.text(i, 1)),
                        std::string(rows.text(i, 2)), std::string(rows.text(i, 3)),
                        std::string(rows.text(i, 4)), std::string(rows.text(i, 5)),
                        std::string(rows.text(i, 6)), rows.integer(i, 7), rows.integer(i, 8)});
    }
    return events;
  });
}

void PgOutboxStore::markPublished(const std::vector<std::int64_t>& positions, Timestamp sentAt) {
  if (positions.empty()) return;
  std::string array = "{";
  for (std::size_t i = 0; i < positions.size(); ++i) {
    array += (i ? "," : "") + std::to_string(positions[i]);
  }
  array += "}";
  const auto micros = std::to_string(sentAt.time_since_epoch().count());
  guarded([&](PGconn* conn) {
    pg::execPrepared(conn, "mark_published", {array, micros});
    return 0;
  });
}

void PgOutboxStore::waitForEvents(std::chrono::milliseconds timeout) {
  guarded([&](PGconn* conn) {
    auto drained = [conn] {
      bool any = false;
      while (PGnotify* n = PQnotifies(conn)) {
        PQfreemem(n);
        any = true;
      }
      return any;
    };
    if (PQconsumeInput(conn) == 0) throw Unavailable("PostgreSQL connection lost while listening");
    if (drained()) return 0;
    pollfd readable[2] = {{PQsocket(conn), POLLIN, 0}, {wakeFd_, POLLIN, 0}};
    if (poll(readable, 2, static_cast<int>(timeout.count())) > 0) {
      std::uint64_t wakes;
      if (readable[1].revents != 0) static_cast<void>(read(wakeFd_, &wakes, sizeof wakes));
      if (PQconsumeInput(conn) == 0)
        throw Unavailable("PostgreSQL connection lost while listening");
      drained();
    }
    return 0;
  });
}

void PgOutboxStore::wake() {
  const std::uint64_t one = 1;
  static_cast<void>(write(wakeFd_, &one, sizeof one));  // a full counter is awake anyway
}

void PgOutboxStore::notifyLeader() {
  guarded([](PGconn* conn) {
    pg::exec(conn, (std::string("SELECT pg_notify(") + kChannel + ", '')").c_str());
    return 0;
  });
}

OutboxStats PgOutboxStore::stats() {
  return guarded([](PGconn* conn) {
    auto row = pg::exec(conn,
                        "SELECT count(*), coalesce(extract(epoch FROM now() - min(created_at)), 0)"
                        " FROM outbox WHERE published_at IS NULL");
    return OutboxStats{row.integer(0, 0), std::stod(std::string(row.text(0, 1)))};
  });
}

std::int64_t PgOutboxStore::prune(std::chrono::milliseconds retention, int limit) {
  return guarded([&](PGconn* conn) {
    const auto ms = std::to_string(retention.count());
    const auto rows = std::to_string(limit);
    return static_cast<std::int64_t>(pg::execPrepared(conn, "prune", {ms, rows}).affected());
  });
}

}  // namespace workstream::tasks
