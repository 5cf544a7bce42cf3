#include "pg/pg_pool.hpp"

#include <algorithm>

#include "pg/pg_connection.hpp"
#include "workstream/core/errors.hpp"

namespace workstream::pg {
namespace {

constexpr std::chrono::milliseconds kFirstBackoff{100};
constexpr std::chrono::milliseconds kMaxBackoff{5000};

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

Pool::Pool(PoolOptions options, Logger log) : options_(std::move(options)), log_(std::move(log)) {}

Pool::~Pool() {
  for (auto* conn : idle_) PQfinish(conn);
}

Pool::Lease::~Lease() {
  if (conn_) pool_->release(conn_);
}

PGconn* Pool::connect() {
  const std::string timeout = seconds(options_.connectTimeout);
  const std::string settings = urlOptions(options_.url) + "-c statement_timeout=" +
                               std::to_string(options_.statementTimeout.count()) +
                               " -c idle_in_transaction_session_timeout=60000";
  const char* keys[] = {"dbname", "connect_timeout", "options", "application_name", nullptr};
  const char* values[] = {options_.url.c_str(), timeout.c_str(), settings.c_str(), "workstream",
                          nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, 1);
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string error = PQerrorMessage(conn);
    PQfinish(conn);
    throw Unavailable("cannot connect to PostgreSQL: " + error.substr(0, error.find('\n')));
  }
  PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);  // NOTICEs are not errors
  try {
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
      ++open_;
      lock.unlock();
      try {
        PGconn* conn = connect();
        lock.lock();
        if (backoff_.count() != 0) log_.info("reconnected to PostgreSQL");
        backoff_ = std::chrono::milliseconds(0);
        return Lease(*this, conn);
      } catch (const Unavailable& e) {
        lock.lock();
        --open_;
        backoff_ = std::min(kMaxBackoff, backoff_.count() == 0 ? kFirstBackoff : backoff_ * 2);
        nextConnect_ = std::chrono::steady_clock::now() + backoff_;
        log_.warn("PostgreSQL connection failed", {{"error", e.what()}});
        available_.notify_all();
        throw;
      }
    }
    if (available_.wait_until(lock, deadline) == std::cv_status::timeout) {
      throw Unavailable("no PostgreSQL connection free within the acquire timeout");
    }
  }
}

void Pool::release(PGconn* conn) {
  // A connection that broke, or was left inside a transaction, is not reused.
  const bool healthy =
      PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) == PQTRANS_IDLE;
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

CheckResult Pool::check() {
  try {
    auto lease = acquire();
    exec(lease.get(), "SELECT 1");
    return {true, {}};
  } catch (const InfrastructureError& e) {
    return {false, e.what()};
  }
}

}  // namespace workstream::pg
