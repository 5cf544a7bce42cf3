// Reads and creates without blocking (PgTaskStore::tryGetAsync and
// tryCreateAsync on pg/pg_async.hpp), against Postgres, on an event loop as
// the HTTP server's I/O threads run them: the in-process gateway's GET and
// POST paths.
#include <libpq-fe.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "gateway/local_tasks_client.hpp"
#include "postgres/pg_async.hpp"
#include "support/loop_thread.hpp"
#include "tasks_fixture.hpp"
#include "workstream/core/errors.hpp"

using namespace workstream;
using namespace workstream::tasks;
using namespace std::chrono_literals;
using workstream::testing::LoopThread;
using workstream::testing::PgSchema;
using workstream::testing::quietLogger;
using workstream::testing::taskPoolOptions;
using workstream::testing::TasksFixture;

namespace {

const std::string kUnknown = "0b7e7c2a-3f7e-4c55-9a53-1c1d2f0b7e01";

struct AsyncAnswer {
  std::optional<Task> task;
  std::exception_ptr error;
  std::thread::id thread;
};

// Starts a read on the loop; nullopt when the store would not start one.
// Waits up to 10 s for the answer.
std::optional<AsyncAnswer> readOn(LoopThread& loop, TaskStore& store, const std::string& id) {
  auto promise = std::make_shared<std::promise<AsyncAnswer>>();
  auto answer = promise->get_future();
  const bool started = loop.call([&] {
    TaskStore::GetDone done = [promise](std::optional<Task> task, std::exception_ptr error) {
      promise->set_value({std::move(task), error, std::this_thread::get_id()});
    };
    const bool ok = store.tryGetAsync(id, done);
    CHECK(ok != static_cast<bool>(done));  // taken when started, untouched when not
    return ok;
  });
  if (!started) return std::nullopt;
  REQUIRE(answer.wait_for(10s) == std::future_status::ready);
  return answer.get();
}

struct CreateAnswer {
  Result<TaskStore::Created, TaskError> created{TaskStore::Created{}};
  std::exception_ptr error;
  std::thread::id thread;
};

// Starts a create through the service on the loop; nullopt when it would
// not start one. Waits up to 10 s for the answer.
std::optional<CreateAnswer> createOn(LoopThread& loop, TaskService& service, NewTask request,
                                     const CallContext& context) {
  auto promise = std::make_shared<std::promise<CreateAnswer>>();
  auto answer = promise->get_future();
  const bool started = loop.call([&] {
    TaskService::CreateDone done = [promise](Result<TaskStore::Created, TaskError> created,
                                             std::exception_ptr error) {
      promise->set_value({std::move(created), error, std::this_thread::get_id()});
    };
    const bool ok = service.tryCreateAsync(request, context, done);
    CHECK(ok != static_cast<bool>(done));  // taken when started, untouched when not
    return ok;
  });
  if (!started) return std::nullopt;
  REQUIRE(answer.wait_for(10s) == std::future_status::ready);
  return answer.get();
}

// The pool's one connection, made now; returns its backend's pid.
int warmOne(pg::Pool& pool) {
  auto lease = pool.acquire();
  return PQbackendPID(lease.get());
}

}  // namespace

TEST_CASE("tasks store: a read on an event loop answers as get does, on that loop") {
  TasksFixture f;
  LoopThread loop;
  // A fresh pool has no idle connection: nothing starts, the blocking way
  // makes one.
  CHECK_FALSE(readOn(loop, f.store, kUnknown).has_value());

  const auto task = f.create("Read me", std::string("ann@example.com"));
  // A thread that runs no loop starts nothing either.
  TaskStore::GetDone unused = [](std::optional<Task>, std::exception_ptr) {};
  CHECK_FALSE(f.store.tryGetAsync(task.id, unused));

  const auto read = readOn(loop, f.store, task.id);
  REQUIRE(read.has_value());
  CHECK_FALSE(read->error);
  CHECK(read->thread == loop.id());
  REQUIRE(read->task.has_value());
  const auto blocking = f.store.get(task.id);
  REQUIRE(blocking.has_value());
  CHECK(read->task->id == blocking->id);
  CHECK(read->task->title == blocking->title);
  CHECK(read->task->assigneeEmail == blocking->assigneeEmail);
  CHECK(read->task->status == blocking->status);
  CHECK(read->task->createdAt == blocking->createdAt);
  CHECK(read->task->updatedAt == blocking->updatedAt);

  const auto missing = readOn(loop, f.store, kUnknown);
  REQUIRE(missing.has_value());
  CHECK_FALSE(missing->error);
  CHECK_FALSE(missing->task.has_value());
  // The connection went back ready for the blocking way.
  CHECK(f.store.get(task.id).has_value());
}

namespace {

// A store whose pool's one connection the server has just ended.
struct BrokenConnection {
  PgSchema db;
  pg::Pool pool{taskPoolOptions(db.url(), 1), quietLogger()};
  PgTaskStore store{pool};
  LoopThread loop;
  const int pid = warmOne(pool);
  BrokenConnection() { db.sql("SELECT pg_terminate_backend(" + std::to_string(pid) + ")"); }
};

}  // namespace

TEST_CASE_METHOD(BrokenConnection,
                 "tasks store: a read whose connection broke is Unavailable, and the pool "
                 "replaces it") {
  const auto read = readOn(loop, store, kUnknown);
  REQUIRE(read.has_value());
  REQUIRE(read->error);
  CHECK_THROWS_AS(std::rethrow_exception(read->error), Unavailable);
  CHECK(warmOne(pool) != pid);
  CHECK_FALSE(store.get(kUnknown).has_value());
}

namespace {

// Starts `ids.size()` reads in one turn of the loop; returns how many
// started, and waits up to 10 s for their answers, in the order given.
struct Reads {
  int started = 0;
  std::vector<std::string> answers;  // by read: the task's id, "none", or the error's type
  std::vector<std::size_t> order;    // the reads, in the order they were answered
};
Reads readAllOn(LoopThread& loop, TaskStore& store, const std::vector<std::string>& ids) {
  std::mutex mutex;
  Reads reads;
  reads.answers.resize(ids.size(), "unanswered");
  reads.started = loop.call([&] {
    int n = 0;
    for (std::size_t i = 0; i < ids.size(); ++i) {
      TaskStore::GetDone done = [&, i](std::optional<Task> read, std::exception_ptr error) {
        std::string answer = read ? read->id : "none";
        try {
          if (error) std::rethrow_exception(error);
        } catch (const Unavailable&) {
          answer = "Unavailable";
        } catch (const pg::PgError& e) {
          answer = "PgError " + e.sqlstate();
        } catch (...) {
          answer = "other";
        }
        std::lock_guard lock(mutex);
        reads.answers[i] = answer;
        reads.order.push_back(i);
      };
      if (store.tryGetAsync(ids[i], done)) ++n;
    }
    return n;
  });
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    {
      std::lock_guard lock(mutex);
      if (static_cast<int>(reads.order.size()) >= reads.started) break;
    }
    std::this_thread::sleep_for(5ms);
  }
  std::this_thread::sleep_for(50ms);  // an answer too many would show now
  std::lock_guard lock(mutex);
  return reads;
}

// Idle connections the pool hands out now, without making one.
int idleIn(pg::Pool& pool) {
  std::vector<pg::Pool::Lease> taken;
  while (auto lease = pool.tryAcquire()) taken.push_back(std::move(*lease));
  return static_cast<int>(taken.size());
}

}  // namespace

TEST_CASE(
    "tasks store: reads started together on a loop share one connection, 32 at most, each "
    "answered once and in order") {
  TasksFixture f;
  const auto task = f.create("Read by many");
  {
    std::vector<pg::Pool::Lease> warm;  // three idle connections
    for (int i = 0; i < 3; ++i) warm.push_back(f.pool.acquire());
  }
  LoopThread loop;
  std::vector<std::string> ids(40, task.id);
  ids[5] = kUnknown;
  const auto reads = readAllOn(loop, f.store, ids);
  CHECK(reads.started == 40);  // 32 on one connection, 8 on a second
  REQUIRE(reads.order.size() == 40);
  // Each connection answers in the order its reads were sent.
  std::vector<std::size_t> first, second;
  for (const auto i : reads.order) (i < 32 ? first : second).push_back(i);
  CHECK(std::is_sorted(first.begin(), first.end()));
  CHECK(std::is_sorted(second.begin(), second.end()));
  CHECK(reads.answers[5] == "none");
  for (std::size_t i = 0; i < reads.answers.size(); ++i) {
    if (i != 5) CHECK(reads.answers[i] == task.id);
  }
  CHECK(idleIn(f.pool) == 3);  // both back in the pool, ready for the blocking way
  CHECK(f.store.get(task.id).has_value());
}

TEST_CASE(
    "tasks store: a read that fails among shared reads fails with its error, those sent with it "
    "after it are Unavailable, and the connection serves on") {
  TasksFixture f;
  const auto task = f.create("Read beside a failure");
  warmOne(f.pool);
  LoopThread loop;
  const auto reads = readAllOn(loop, f.store, {task.id, "not-a-uuid", task.id});
  CHECK(reads.started == 3);
  CHECK(reads.order == std::vector<std::size_t>{0, 1, 2});
  CHECK(reads.answers[0] == task.id);
  CHECK(reads.answers[1] == "PgError 22P02");  // invalid_text_representation
  CHECK(reads.answers[2] == "Unavailable");    // aborted with it: tried again the blocking way
  CHECK(idleIn(f.pool) == 1);                  // the same connection, back and reused
  const auto again = readAllOn(loop, f.store, {task.id});
  REQUIRE(again.order.size() == 1);
  CHECK(again.answers[0] == task.id);
}

TEST_CASE_METHOD(BrokenConnection,
                 "tasks store: shared reads whose connection broke are all Unavailable") {
  const auto reads = readAllOn(loop, store, {kUnknown, kUnknown, kUnknown});
  CHECK(reads.started == 3);
  CHECK(reads.order.size() == 3);
  CHECK(reads.answers == std::vector<std::string>(3, "Unavailable"));
  CHECK(warmOne(pool) != pid);
}

TEST_CASE("tasks store: a loop that stops answers its reads in flight Unavailable") {
  PgSchema db;
  auto options = taskPoolOptions(db.url(), 1);
  options.prepared.push_back({"slow", "SELECT pg_sleep(10)"});
  pg::Pool pool(options, quietLogger());
  warmOne(pool);
  LoopThread loop;
  std::promise<std::exception_ptr> promise;
  auto answer = promise.get_future();
  const bool started = loop.call([&] {
    pg::AsyncDone done = [&](std::optional<pg::PgResult>, std::exception_ptr error) {
      promise.set_value(error);
    };
    return pg::tryExecPreparedOnLoop(pool, "slow", {}, done, pg::Sharing::Alone);
  });
  REQUIRE(started);
  const auto stopping = std::chrono::steady_clock::now();
  loop.stop();
  REQUIRE(answer.wait_for(0s) == std::future_status::ready);  // answered before the loop ended
  CHECK(std::chrono::steady_clock::now() - stopping < 5s);
  auto error = answer.get();
  REQUIRE(error);
  CHECK_THROWS_AS(std::rethrow_exception(error), Unavailable);
  // The connection was left mid-statement: the pool dropped it and makes another.
  auto lease = pool.acquire();
  CHECK(pg::exec(lease.get(), "SELECT 1").rows() == 1);
}

TEST_CASE("local tasks client: a get whose read broke on the loop is answered the blocking way") {
  PgSchema db;
  pg::Pool pool(taskPoolOptions(db.url(), 1), quietLogger());
  PgTaskStore store(pool);
  TaskService service(store, systemNow);
  auto created =
      service.create({"Survive a broken read", std::nullopt, std::nullopt, std::nullopt}, {});
  REQUIRE(created.ok());
  const int pid = warmOne(pool);
  db.sql("SELECT pg_terminate_backend(" + std::to_string(pid) + ")");

  std::promise<Result<Task, gateway::CallError>> promise;
  auto answer = promise.get_future();
  {
    LoopThread loop;
    gateway::LocalTasksClient client(service, quietLogger(), {1, 16, 5s});
    loop.call([&] {
      client.get(created->task.id, {"req-1", ""},
                 [&](Result<Task, gateway::CallError> result) { promise.set_value(result); });
      return 0;
    });
    REQUIRE(answer.wait_for(10s) == std::future_status::ready);
  }
  auto result = answer.get();
  REQUIRE(result.ok());
  CHECK(result->id == created->task.id);
  CHECK(warmOne(pool) != pid);
}

TEST_CASE(
    "tasks store: a create on an event loop commits the task and its event as create does, on "
    "that loop") {
  TasksFixture f;
  LoopThread loop;
  const NewTask request{"Made on the loop", std::string("Details"), std::string("ann@example.com"),
                        std::nullopt};
  // A fresh pool has no idle connection: nothing starts.
  CHECK_FALSE(createOn(loop, f.service, request, f.context).has_value());
  f.create("Warms a connection");
  // A thread that runs no loop starts nothing either.
  TaskService::CreateDone unused = [](Result<TaskStore::Created, TaskError>, std::exception_ptr) {};
  CHECK_FALSE(f.service.tryCreateAsync(request, f.context, unused));
  // Nor does a create with an idempotency key (a replay takes more than one
  // statement), nor one that is not valid (create() answers it).
  NewTask keyed = request;
  keyed.idempotencyKey = "key-1";
  CHECK_FALSE(createOn(loop, f.service, keyed, f.context).has_value());
  CHECK_FALSE(createOn(loop, f.service, {"", std::nullopt, std::nullopt, std::nullopt}, f.context)
                  .has_value());

  const auto made = createOn(loop, f.service, request, f.context);
  REQUIRE(made.has_value());
  CHECK_FALSE(made->error);
  CHECK(made->thread == loop.id());
  REQUIRE(made->created.ok());
  const auto& task = made->created->task;
  CHECK_FALSE(made->created->replayed);
  const auto read = f.store.get(task.id);
  REQUIRE(read.has_value());
  CHECK(read->title == "Made on the loop");
  CHECK(read->description == "Details");
  CHECK(read->assigneeEmail == "ann@example.com");
  CHECK(read->status == TaskStatus::open);
  CHECK(read->createdAt == task.createdAt);
  auto rows = f.db.sql(
      "SELECT event_type, routing_key, request_id, trace_id, envelope->'payload'->>'title' FROM "
      "outbox WHERE aggregate_id = '" +
      task.id + "'");
  REQUIRE(rows.rows() == 1);
  CHECK(rows.text(0, 0) == "workstream.task.created.v1");
  CHECK(rows.text(0, 1) == "workstream.task.created");
  CHECK(rows.text(0, 2) == f.context.requestId);
  CHECK(rows.text(0, 3) == f.context.traceId);
  CHECK(rows.text(0, 4) == "Made on the loop");
}

TEST_CASE("tasks store: a create whose connection broke is Unavailable and leaves no task") {
  PgSchema db;
  pg::Pool pool(taskPoolOptions(db.url(), 1), quietLogger());
  PgTaskStore store(pool);
  TaskService service(store, systemNow);
  LoopThread loop;
  const int pid = warmOne(pool);
  db.sql("SELECT pg_terminate_backend(" + std::to_string(pid) + ")");

  const auto made = createOn(loop, service, {"Lost", std::nullopt, std::nullopt, std::nullopt},
                             {"req-2", "4bf92f3577b34da6a3ce929d0e0e4736"});
  REQUIRE(made.has_value());
  REQUIRE(made->error);
  CHECK_THROWS_AS(std::rethrow_exception(made->error), Unavailable);
  CHECK(db.sql("SELECT count(*) FROM tasks").text(0, 0) == "0");
  CHECK(db.sql("SELECT count(*) FROM outbox").text(0, 0) == "0");
  CHECK(warmOne(pool) != pid);
}

TEST_CASE(
    "local tasks client: a create whose statement failed on the loop is answered with that "
    "failure, never tried again") {
  PgSchema db;
  pg::Pool pool(taskPoolOptions(db.url(), 1), quietLogger());
  PgTaskStore store(pool);
  TaskService service(store, systemNow);
  const int pid = warmOne(pool);
  db.sql("SELECT pg_terminate_backend(" + std::to_string(pid) + ")");

  std::promise<Result<gateway::CreatedTask, gateway::CallError>> promise;
  auto answer = promise.get_future();
  {
    LoopThread loop;
    gateway::LocalTasksClient client(service, quietLogger(), {1, 16, 5s});
    loop.call([&] {
      client.create({"Written once", std::nullopt, std::nullopt, std::nullopt}, {"req-1", ""},
                    [&](Result<gateway::CreatedTask, gateway::CallError> result) {
                      promise.set_value(result);
                    });
      return 0;
    });
    REQUIRE(answer.wait_for(10s) == std::future_status::ready);
  }
  auto result = answer.get();
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().kind == gateway::CallError::Kind::unavailable);
  CHECK(result.error().code == "UNAVAILABLE");
  // Nothing was written, and no worker tried the write again.
  CHECK(db.sql("SELECT count(*) FROM tasks").text(0, 0) == "0");
  CHECK(warmOne(pool) != pid);
}
