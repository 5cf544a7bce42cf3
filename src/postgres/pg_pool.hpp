#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "workstream/core/backoff.hpp"
#include "workstream/core/log.hpp"
#include "workstream/core/readiness.hpp"

// libpq's connection type, declared here so that this header, included by
// the composition root, does not pull in libpq-fe.h.
struct pg_conn;
typedef struct pg_conn PGconn;

namespace workstream::pg {

struct PreparedStatement {
  std::string name;
  std::string sql;
};

// A session variable (set_config), such as a custom one a trigger reads.
struct SessionSetting {
  std::string name;
  std::string value;
};

struct PoolOptions {
  std::string url;
  int size = 8;
  std::chrono::milliseconds statementTimeout{5000};
  std::chrono::milliseconds acquireTimeout{2000};
  std::chrono::milliseconds connectTimeout{2000};
  std::vector<PreparedStatement> prepared;  // prepared on every new connection
  std::vector<SessionSetting> settings;     // set on every new connection
};

// A bounded pool of libpq connections. Connections are made on demand, up to
// `size`; a broken one is dropped when it comes back. After a failed connect
// the pool waits (exponential backoff up to 5 s) before trying again, and
// meanwhile fails fast with Unavailable rather than piling up attempts.
class Pool {
 public:
  Pool(PoolOptions options, Logger log);
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // A connection on loan; it goes back to the pool when the lease ends.
  class Lease {
   public:
    Lease(Pool& pool, PGconn* conn) : pool_(&pool), conn_(conn) {}
    Lease(Lease&& other) noexcept : pool_(other.pool_), conn_(other.conn_) {
      other.conn_ = nullptr;
    }
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    PGconn* get() const { return conn_; }

   private:
    Pool* pool_;
    PGconn* conn_;
  };

  // Throws Unavailable when no connection can be had within acquireTimeout.
  Lease acquire();
  // An idle connection, or none: never connects, never waits.
  std::optional<Lease> tryAcquire();
  // Opens connections, one after another, until the pool holds `size`;
  // each waits idle, so the first calls under load find one instead of
  // connecting. Stops at the first that fails (logged; calls connect later,
  // after the backoff, as before). Blocks: call it off the request path.
  void fill();
  // A readiness probe: a round trip on a connection kept for probing.
  CheckResult check();

 private:
  PGconn* connect();
  PGconn* connectCounted(std::unique_lock<std::mutex>& lock);
  void release(PGconn* conn);

  const PoolOptions options_;
  Logger log_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<PGconn*> idle_;
  int open_ = 0;  // idle plus leased, plus connects under way
  std::chrono::steady_clock::time_point nextConnect_{};
  Backoff backoff_{kPostgresReconnect};
  std::mutex checkMutex_;
  PGconn* checkConn_ = nullptr;
};

}  // namespace workstream::pg
