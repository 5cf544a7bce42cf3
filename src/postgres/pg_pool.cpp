#include "postgres/pg_pool.hpp"

#include <algorithm>

#include "postgres/pg_connection.hpp"
#include "workstream/core/errors.hpp"

namespace workstream::pg {

Pool::Pool(PoolOptions options, Logger log) : options_(std::move(options)), log_(std::move(log)) {}

Pool::~Pool() {
  for (auto* conn : idle_) PQfinish(conn);
  if (checkConn_ != nullptr) PQfinish(checkConn_);
}

Pool::Lease::~Lease() {
  if (conn_) pool_->release(conn_);
}

PGconn* Pool::connect() {
  PGconn* conn = pg::connect(options_.url, options_.statementTimeout, options_.connectTimeout);
  try {
    for (const auto& setting : options_.settings) {
      execParams(conn, "SELECT set_config($1, $2, false)", {setting.name, setting.value});
    }
    for (const auto& statement : options_.prepared) prepare(conn, statement.name, statement.sql);
  } catch (...) {
    PQfinish(conn);
    throw;
  }
  return conn;
}

Pool::Lease Pool::acquire() {
  std::unique_lock lock(mutex_);
  const auto deadline = std::chrono::steady_clock::now() + options_.acquireTimeout;
  while (true) {
    if (!idle_.empty()) {
      PGconn* conn = idle_.back();
      idle_.pop_back();
      return Lease(*this, conn);
    }
    if (open_ < options_.size) {
      if (std::chrono::steady_clock::now() < nextConnect_) {
        throw Unavailable("PostgreSQL is unavailable; reconnecting with backoff");
      }
      return Lease(*this, connectCounted(lock));
    }
    if (available_.wait_until(lock, deadline) == std::cv_status::timeout) {
      throw Unavailable("no PostgreSQL connection free within the acquire timeout");
    }
  }
}

// Counts the connection as open, then connects outside the lock; one that
// fails is uncounted and the pool backs off.
PGconn* Pool::connectCounted(std::unique_lock<std::mutex>& lock) {
  ++open_;
  lock.unlock();
  try {
    PGconn* conn = connect();
    lock.lock();
    if (backoff_.failing()) log_.info("reconnected to PostgreSQL");
    backoff_.reset();
    return conn;
  } catch (const std::exception& e) {
    lock.lock();
    --open_;
    nextConnect_ = std::chrono::steady_clock::now() + backoff_.next();
    log_.warn("PostgreSQL connection failed", {{"error", e.what()}});
    available_.notify_all();
    throw;
  }
}

void Pool::fill() {
  std::unique_lock lock(mutex_);
  while (open_ < options_.size && std::chrono::steady_clock::now() >= nextConnect_) {
    PGconn* conn = nullptr;
    try {
      conn = connectCounted(lock);
    } catch (const std::exception&) {
      return;  // logged; a caller connects later, after the backoff
    }
    idle_.push_back(conn);
    available_.notify_one();
  }
}

std::optional<Pool::Lease> Pool::tryAcquire() {
  std::lock_guard lock(mutex_);
  if (idle_.empty()) return std::nullopt;
  PGconn* conn = idle_.back();
  idle_.pop_back();
  return std::optional<Lease>(std::in_place, *this, conn);
}

void Pool::release(PGconn* conn) {
  // A connection that broke, or was left inside a transaction or a
  // pipeline, is not reused.
  const bool healthy = PQstatus(conn) == CONNECTION_OK &&
                       PQtransactionStatus(conn) == PQTRANS_IDLE &&
                       PQpipelineStatus(conn) == PQ_PIPELINE_OFF;
  if (!healthy) PQfinish(conn);
  {
    std::lock_guard lock(mutex_);
    if (healthy) {
      idle_.push_back(conn);
    } else {
      --open_;
    }
  }
  available_.notify_one();
}

// On a connection of its own, so a busy pool does not look like a dead
// database.
CheckResult Pool::check() {
  std::lock_guard lock(checkMutex_);
  try {
    if (checkConn_ == nullptr) {
      checkConn_ = pg::connect(options_.url, options_.statementTimeout, options_.connectTimeout);
    }
    exec(checkConn_, "SELECT 1");
    return {true, {}};
  } catch (const InfrastructureError& e) {
    if (checkConn_ != nullptr) PQfinish(checkConn_);
    checkConn_ = nullptr;
    return {false, e.what()};
  }
}

}  // namespace workstream::pg
