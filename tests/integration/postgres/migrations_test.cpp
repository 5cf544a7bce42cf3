#include <catch2/catch.hpp>

#include "postgres/migrations.hpp"
#include "postgres/pg_pool.hpp"
#include "support/pg_schema.hpp"

using namespace workstream;
using workstream::testing::PgSchema;
using workstream::testing::quietLogger;

namespace {

pg::PoolOptions poolOptions(const std::string& url, int size) {
  pg::PoolOptions options;
  options.url = url;
  options.size = size;
  return options;
}

const std::vector<pg::Migration> kTwo{
    {1, "0001_a.sql", "CREATE TABLE a (id int PRIMARY KEY);"},
    {2, "0002_b.sql", "CREATE TABLE b (id int PRIMARY KEY); INSERT INTO b VALUES (1);"},
};

}  // namespace

TEST_CASE("migrations: applied once, in order, running again changes nothing") {
  PgSchema db(false);
  pg::Pool pool(poolOptions(db.url(), 1), quietLogger());
  auto lease = pool.acquire();
  CHECK(pg::migrate(lease.get(), kTwo, quietLogger()) ==
        std::vector<std::string>{"0001_a.sql", "0002_b.sql"});
  CHECK(pg::migrate(lease.get(), kTwo, quietLogger()).empty());
  CHECK(db.count("SELECT count(*) FROM b") == 1);
  CHECK(db.count("SELECT count(*) FROM schema_migrations") == 2);
}

TEST_CASE("migrations: a changed migration is refused") {
  PgSchema db(false);
  pg::Pool pool(poolOptions(db.url(), 1), quietLogger());
  auto lease = pool.acquire();
  pg::migrate(lease.get(), kTwo, quietLogger());
  auto edited = kTwo;
  edited[0].sql = "CREATE TABLE a (id bigint PRIMARY KEY);";
  CHECK_THROWS_WITH(pg::migrate(lease.get(), edited, quietLogger()),
                    Catch::Contains("0001_a.sql") && Catch::Contains("changed"));
}

TEST_CASE("migrations: a failing migration leaves no trace and stops the rest") {
  PgSchema db(false);
  pg::Pool pool(poolOptions(db.url(), 1), quietLogger());
  auto lease = pool.acquire();
  const std::vector<pg::Migration> broken{
      {1, "0001_a.sql", "CREATE TABLE a (id int PRIMARY KEY);"},
      {2, "0002_bad.sql", "CREATE TABLE c (id int); SELECT no_such_function();"},
      {3, "0003_d.sql", "CREATE TABLE d (id int);"},
  };
  CHECK_THROWS_AS(pg::migrate(lease.get(), broken, quietLogger()), pg::MigrationError);
  CHECK(db.count("SELECT count(*) FROM schema_migrations") == 1);
  CHECK(db.count("SELECT count(*) FROM pg_tables WHERE tablename IN ('c', 'd') "
                 "AND schemaname = current_schema()") == 0);
}

TEST_CASE("pool: an unreachable server is Unavailable, and retries back off") {
  pg::Pool pool(poolOptions("postgresql://workstream:x@127.0.0.1:1/none", 2), quietLogger());
  CHECK_THROWS_AS(pool.acquire(), Unavailable);
  // Within the backoff window the pool fails at once instead of reconnecting.
  const auto start = std::chrono::steady_clock::now();
  CHECK_THROWS_WITH(pool.acquire(), Catch::Contains("backoff"));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(50));
  CHECK_FALSE(pool.check().ok);
}

TEST_CASE(
    "pool: fill opens every connection it may hold, idle, and stops at a server it cannot reach") {
  PgSchema db;
  pg::Pool pool(poolOptions(db.url(), 3), quietLogger());
  CHECK_FALSE(pool.tryAcquire());  // opens none by itself
  pool.fill();
  {
    auto a = pool.tryAcquire();  // never connects: only what fill opened
    auto b = pool.tryAcquire();
    auto c = pool.tryAcquire();
    CHECK((a && b && c));
    CHECK_FALSE(pool.tryAcquire());  // three, its size
  }
  pool.fill();  // full already: opens nothing more
  std::vector<pg::Pool::Lease> leases;
  while (auto lease = pool.tryAcquire()) leases.push_back(std::move(*lease));
  CHECK(leases.size() == 3);

  pg::Pool unreachable(poolOptions("postgresql://workstream:x@127.0.0.1:1/none", 2), quietLogger());
  unreachable.fill();                                                    // returns, throws nothing
  CHECK_THROWS_WITH(unreachable.acquire(), Catch::Contains("backoff"));  // and backs off
}

TEST_CASE("pool: connections are reused and bounded") {
  PgSchema db;
  pg::Pool pool(poolOptions(db.url(), 2), quietLogger());
  {
    auto a = pool.acquire();
    auto b = pool.acquire();
    const auto start = std::chrono::steady_clock::now();
    // A third lease waits for acquireTimeout, then gives up.
    CHECK_THROWS_AS(pool.acquire(), Unavailable);
    CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(1900));
  }
  // Released connections are lent again rather than replaced.
  int pid = 0;
  {
    auto lease = pool.acquire();
    pid = PQbackendPID(lease.get());
  }
  for (int i = 0; i < 5; ++i) {
    auto lease = pool.acquire();
    CHECK(PQbackendPID(lease.get()) == pid);
  }
}

TEST_CASE("pool: a broken connection is replaced") {
  PgSchema db;
  pg::Pool pool(poolOptions(db.url(), 1), quietLogger());
  int pid = 0;
  {
    auto lease = pool.acquire();
    pid = PQbackendPID(lease.get());
  }
  db.sql("SELECT pg_terminate_backend(" + std::to_string(pid) + ")");
  {
    auto lease = pool.acquire();  // still the dead one: the pool cannot know yet
    CHECK_THROWS_AS(pg::exec(lease.get(), "SELECT 1"), Unavailable);
  }
  auto lease = pool.acquire();
  CHECK(PQbackendPID(lease.get()) != pid);
  CHECK(pg::exec(lease.get(), "SELECT 1").rows() == 1);
}
