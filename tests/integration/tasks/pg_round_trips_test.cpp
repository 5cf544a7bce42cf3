// The tasks store's writes, as the wire sees them: how many times a call
// waits for PostgreSQL, and that idempotency keys keep their meaning on the
// one-statement path.

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "support/rabbit_vhost.hpp"
#include "tasks_fixture.hpp"
#include "workstream/core/errors.hpp"

using namespace workstream;
using namespace workstream::tasks;
using namespace std::chrono_literals;
using workstream::testing::TasksFixture;

namespace {

// The store on a pool of one connection whose protocol messages libpq
// writes to a file. The client waits for the server after each Sync (the
// extended protocol: prepared statements) and each Query (simple protocol).
struct TracedStore {
  explicit TracedStore(const std::string& url)
      : pool(testing::taskPoolOptions(url, 1), testing::quietLogger()) {
    std::FILE* raw = std::tmpfile();
    REQUIRE(raw != nullptr);
    file.reset(raw);
    auto lease = pool.acquire();  // connected and prepared before tracing starts
    PQtrace(lease.get(), file.get());
    PQsetTraceFlags(lease.get(), PQTRACE_SUPPRESS_TIMESTAMPS);
  }
  ~TracedStore() { PQuntrace(pool.acquire().get()); }

  // Round trips since the last call.
  int roundTrips() {
    std::fflush(file.get());
    std::fseek(file.get(), read, SEEK_SET);
    std::string text;
    char buffer[4096];
    while (std::size_t n = std::fread(buffer, 1, sizeof buffer, file.get())) text.append(buffer, n);
    read = std::ftell(file.get());
    int waits = 0;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("F\t", 0) == 0 &&
          (line.find("\tSync") != std::string::npos || line.find("\tQuery\t") != std::string::npos))
        ++waits;
    }
    return waits;
  }

  std::unique_ptr<std::FILE, decltype(&std::fclose)> file{nullptr, &std::fclose};
  long read = 0;
  pg::Pool pool;
  PgTaskStore store{pool};
  TaskService service{store, systemNow};
  CallContext context{"req-1", "4bf92f3577b34da6a3ce929d0e0e4736"};
};

}  // namespace

TEST_CASE("tasks store: a create is one round trip, a completion two") {
  TasksFixture f;
  TracedStore traced(f.db.url());
  auto created = traced.service.create({"plain", {}, {}, {}}, traced.context);
  REQUIRE(created.ok());
  CHECK(traced.roundTrips() == 1);

  auto keyed = traced.service.create({"keyed", {}, {}, std::string("key-1")}, traced.context);
  REQUIRE(keyed.ok());
  CHECK(traced.roundTrips() == 1);
  auto replay = traced.service.create({"keyed", {}, {}, std::string("key-1")}, traced.context);
  REQUIRE(replay.ok());
  CHECK(replay->replayed);
  CHECK(traced.roundTrips() == 1);

  REQUIRE(traced.service.complete(created->task.id, traced.context).ok());
  CHECK(traced.roundTrips() == 2);
  CHECK(traced.service.complete(created->task.id, traced.context).error().code ==
        ErrorCode::alreadyCompleted);
  CHECK(traced.roundTrips() == 1);
  REQUIRE(traced.service.get(created->task.id).ok());
  CHECK(traced.roundTrips() == 1);
  CHECK(f.db.count("SELECT count(*) FROM outbox") == 3);
}

TEST_CASE("tasks store: a replayed key writes nothing and returns the first task") {
  TasksFixture f;
  auto first = f.service.create({"Once", std::string("d"), {}, std::string("k")}, f.context);
  REQUIRE(first.ok());
  CHECK_FALSE(first->replayed);
  auto again = f.service.create({"Once", std::string("d"), {}, std::string("k")}, f.context);
  REQUIRE(again.ok());
  CHECK(again->replayed);
  CHECK(again->task.id == first->task.id);
  CHECK(again->task.createdAt == first->task.createdAt);
  CHECK(again->task.description == "d");
  CHECK(f.db.count("SELECT count(*) FROM tasks") == 1);
  CHECK(f.db.count("SELECT count(*) FROM outbox") == 1);

  // A different payload under the key is refused, and writes nothing either.
  auto other = f.service.create({"Other", {}, {}, std::string("k")}, f.context);
  REQUIRE_FALSE(other.ok());
  CHECK(other.error().code == ErrorCode::idempotencyKeyReused);
  CHECK(f.db.count("SELECT count(*) FROM tasks") == 1);
  CHECK(f.db.count("SELECT count(*) FROM outbox") == 1);
}

TEST_CASE("tasks store: a key older than 24 hours is taken over with a task and its event") {
  TasksFixture f;
  auto first = f.service.create({"Old", {}, {}, std::string("k")}, f.context);
  REQUIRE(first.ok());
  f.db.sql("UPDATE task_idempotency_keys SET created_at = now() - interval '25 hours'");
  auto later = f.service.create({"New", {}, {}, std::string("k")}, f.context);
  REQUIRE(later.ok());
  CHECK_FALSE(later->replayed);
  CHECK(later->task.title == "New");
  CHECK(f.db.sql("SELECT task_id FROM task_idempotency_keys WHERE key = 'k'").text(0, 0) ==
        later->task.id);
  CHECK(f.db.count("SELECT count(*) FROM outbox WHERE aggregate_id = '" + later->task.id + "'") ==
        1);
  CHECK(f.db.count("SELECT count(*) FROM tasks") == 2);
}

TEST_CASE("tasks store: a key claimed by a create that commits while ours runs is a replay") {
  TasksFixture f;
  // Another writer holds the key, uncommitted: our create's statement takes
  // its snapshot, then waits on the key. When the writer commits, the key is
  // not ours and the snapshot cannot see its task: a second read must.
  const std::string holder = "0b7e7c2a-3f7e-4c55-9a53-1c1d2f0b7e01";
  f.db.sql("BEGIN");
  const std::string holderPid(f.db.sql("SELECT pg_backend_pid()").text(0, 0));
  f.db.sql("INSERT INTO tasks (id, title, status, created_at, updated_at) VALUES ('" + holder +
           "', 'Held', 'open', now(), now())");
  f.db.sql("INSERT INTO task_idempotency_keys VALUES ('held', '" + holder + "', now())");
  std::optional<Result<TaskStore::Created, TaskError>> created;
  std::thread creator([&] {
    created = f.service.create({"Held", {}, {}, std::string("held")}, f.context);
  });
  std::unique_ptr<PGconn, decltype(&PQfinish)> observer(pg::connect(f.db.url(), 5s, 5s), PQfinish);
  const bool waiting = testing::eventually([&] {
    return pg::execParams(observer.get(),
                          "SELECT count(*) FROM pg_stat_activity"
                          " WHERE $1::int = ANY(pg_blocking_pids(pid))",
                          {holderPid})
               .integer(0, 0) > 0;
  });
  f.db.sql("COMMIT");
  creator.join();
  REQUIRE(waiting);
  REQUIRE(created);
  REQUIRE(created->ok());
  CHECK((*created)->replayed);
  CHECK((*created)->task.id == holder);
  CHECK(f.db.count("SELECT count(*) FROM tasks") == 1);
  CHECK(f.db.count("SELECT count(*) FROM outbox") == 0);
}

TEST_CASE("tasks store: the outbox row carries the trace id and producer beside the envelope") {
  TasksFixture f;
  const auto task = f.create("traced");
  auto row = f.db.sql("SELECT trace_id, producer, request_id FROM outbox");
  REQUIRE(row.rows() == 1);
  CHECK(row.text(0, 0) == f.context.traceId);
  CHECK(row.text(0, 1) == "workstream-tasks");
  CHECK(row.text(0, 2) == "req-1");
  REQUIRE(f.service.complete(task.id, f.context).ok());
  CHECK(f.db.count("SELECT count(*) FROM outbox WHERE trace_id = '" + f.context.traceId +
                   "' AND producer = 'workstream-tasks'") == 2);
}
