// The store's reads without blocking (PgTaskStore::tryGetAsync, on
// pg::AsyncReader), against Postgres: the in-process gateway's GET path.
#include <libpq-fe.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "gateway/local_tasks_client.hpp"
#include "tasks_fixture.hpp"
#include "workstream/core/errors.hpp"

using namespace workstream;
using namespace workstream::tasks;
using namespace std::chrono_literals;
using workstream::testing::PgSchema;
using workstream::testing::quietLogger;
using workstream::testing::taskPoolOptions;
using workstream::testing::TasksFixture;

namespace {

struct AsyncAnswer {
  std::optional<Task> task;
  std::exception_ptr error;
  std::thread::id thread;
};

// Starts a read; nullopt when the store would not start one. Waits up to
// 10 s for the answer.
std::optional<AsyncAnswer> readAsync(TaskStore& store, const std::string& id) {
  auto promise = std::make_shared<std::promise<AsyncAnswer>>();
  auto answer = promise->get_future();
  TaskStore::GetDone done = [promise](std::optional<Task> task, std::exception_ptr error) {
    promise->set_value({std::move(task), error, std::this_thread::get_id()});
  };
  if (!store.tryGetAsync(id, done)) {
    CHECK(done);  // untouched: the caller still has it for the blocking way
    return std::nullopt;
  }
  CHECK_FALSE(done);
  REQUIRE(answer.wait_for(10s) == std::future_status::ready);
  return answer.get();
}

// The pool's one connection, made now; returns its backend's pid.
int warmOne(pg::Pool& pool) {
  auto lease = pool.acquire();
  return PQbackendPID(lease.get());
}

}  // namespace

TEST_CASE("tasks store: a read without blocking answers as get does, on the store's thread") {
  TasksFixture f;
  const std::string unknown = "0b7e7c2a-3f7e-4c55-9a53-1c1d2f0b7e01";
  // A fresh pool has no idle connection: nothing starts, the blocking way
  // makes one.
  CHECK_FALSE(readAsync(f.store, unknown).has_value());

  const auto task = f.create("Read me", std::string("ann@example.com"));
  const auto read = readAsync(f.store, task.id);
  REQUIRE(read.has_value());
  CHECK_FALSE(read->error);
  CHECK(read->thread != std::this_thread::get_id());
  REQUIRE(read->task.has_value());
  const auto blocking = f.store.get(task.id);
  REQUIRE(blocking.has_value());
  CHECK(read->task->id == blocking->id);
  CHECK(read->task->title == blocking->title);
  CHECK(read->task->assigneeEmail == blocking->assigneeEmail);
  CHECK(read->task->status == blocking->status);
  CHECK(read->task->createdAt == blocking->createdAt);
  CHECK(read->task->updatedAt == blocking->updatedAt);

  const auto missing = readAsync(f.store, unknown);
  REQUIRE(missing.has_value());
  CHECK_FALSE(missing->error);
  CHECK_FALSE(missing->task.has_value());
  // The connection went back ready for the blocking way.
  CHECK(f.store.get(task.id).has_value());
}

TEST_CASE("tasks store: a read whose connection broke is Unavailable, and the pool replaces it") {
  PgSchema db;
  pg::Pool pool(taskPoolOptions(db.url(), 1), quietLogger());
  PgTaskStore store(pool);
  const int pid = warmOne(pool);
  db.sql("SELECT pg_terminate_backend(" + std::to_string(pid) + ")");

  const auto read = readAsync(store, "0b7e7c2a-3f7e-4c55-9a53-1c1d2f0b7e01");
  REQUIRE(read.has_value());
  REQUIRE(read->error);
  CHECK_THROWS_AS(std::rethrow_exception(read->error), Unavailable);
  CHECK(warmOne(pool) != pid);
  CHECK_FALSE(store.get("0b7e7c2a-3f7e-4c55-9a53-1c1d2f0b7e01").has_value());
}

TEST_CASE("tasks store: reads started at once from many threads are each answered once") {
  TasksFixture f;
  const auto task = f.create("Read by many");
  {
    std::vector<pg::Pool::Lease> warm;  // four idle connections
    for (int i = 0; i < 4; ++i) warm.push_back(f.pool.acquire());
  }
  std::mutex mutex;
  std::vector<std::string> answered;
  std::atomic<int> started{0}, failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        TaskStore::GetDone done = [&](std::optional<Task> read, std::exception_ptr error) {
          if (error || !read) ++failed;
          std::lock_guard lock(mutex);
          answered.push_back(read ? read->id : std::string());
        };
        if (f.store.tryGetAsync(task.id, done)) ++started;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    {
      std::lock_guard lock(mutex);
      if (static_cast<int>(answered.size()) >= started.load()) break;
    }
    std::this_thread::sleep_for(5ms);
  }
  std::this_thread::sleep_for(50ms);  // an answer too many would show now
  std::lock_guard lock(mutex);
  CHECK(started > 0);
  CHECK(static_cast<int>(answered.size()) == started.load());
  CHECK(failed == 0);
  for (const auto& id : answered) CHECK(id == task.id);
}

TEST_CASE(
    "local tasks client: a get whose read broke on the store's thread is answered the "
    "blocking way") {
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
    gateway::LocalTasksClient client(service, quietLogger(), {1, 16, 5s});
    client.get(created->task.id, {"req-1", ""},
               [&](Result<Task, gateway::CallError> result) { promise.set_value(result); });
    REQUIRE(answer.wait_for(10s) == std::future_status::ready);
  }
  auto result = answer.get();
  REQUIRE(result.ok());
  CHECK(result->id == created->task.id);
  CHECK(warmOne(pool) != pid);
}
