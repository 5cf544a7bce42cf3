#include <atomic>
#include <catch2/catch.hpp>
#include <future>
#include <optional>
#include <stdexcept>
#include <thread>

#include "fakes/memory_task_store.hpp"
#include "fakes/quiet_logger.hpp"
#include "gateway/local_tasks_client.hpp"
#include "workstream/core/errors.hpp"

using namespace workstream;
using namespace workstream::gateway;
using namespace std::chrono_literals;
using Kind = CallError::Kind;

namespace {

const std::string kTraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
const CallMeta kMeta{"req-1", "00-" + kTraceId + "-00f067aa0ba902b7-01"};

// A call's one answer, and the thread it came on.
template <class T>
struct Answer {
  std::shared_ptr<std::promise<Result<T, CallError>>> promise =
      std::make_shared<std::promise<Result<T, CallError>>>();
  std::shared_ptr<std::thread::id> thread = std::make_shared<std::thread::id>();
  std::future<Result<T, CallError>> future = promise->get_future();

  Reply<T> reply() {
    return [promise = promise, thread = thread](Result<T, CallError> result) {
      *thread = std::this_thread::get_id();
      promise->set_value(std::move(result));  // a second answer would throw here
    };
  }
  Result<T, CallError> get() {
    REQUIRE(future.wait_for(10s) == std::future_status::ready);
    return future.get();
  }
};

struct Fixture {
  fakes::MemoryTaskStore store;
  tasks::TaskService service{store, systemNow};
  Logger log = fakes::quietLogger("workstream-tasks");
  std::optional<LocalTasksClient> client;

  explicit Fixture(LocalTasksClient::Options options = {2, 16, 5s}) {
    client.emplace(service, log, options);
  }

  tasks::Task create(const std::string& title) {
    Answer<CreatedTask> answer;
    client->create({title, std::nullopt, std::nullopt, std::nullopt}, kMeta, answer.reply());
    auto result = answer.get();
    REQUIRE(result);
    return result->task;
  }
};

template <class T>
CallError failure(Answer<T>& answer) {
  auto result = answer.get();
  REQUIRE_FALSE(result);
  return result.error();
}

// Holds the store's callers until released.
struct Gate {
  std::promise<void> open;
  std::shared_future<void> opened = open.get_future().share();
};

}  // namespace

TEST_CASE(
    "local tasks client: a create answers on a worker, and its event carries the call's ids") {
  Fixture f;
  Answer<CreatedTask> answer;
  f.client->create({"write docs", std::nullopt, std::nullopt, std::nullopt}, kMeta, answer.reply());
  auto result = answer.get();
  REQUIRE(result);
  CHECK(result->task.title == "write docs");
  CHECK_FALSE(result->replayed);
  CHECK(*answer.thread != std::this_thread::get_id());
  auto events = f.store.outbox();
  REQUIRE(events.size() == 1);
  CHECK(events[0].requestId == "req-1");
  CHECK(events[0].envelopeJson.find(kTraceId) != std::string::npos);
}

TEST_CASE("local tasks client: gets and lists what was created") {
  Fixture f;
  const auto task = f.create("one");
  f.create("two");
  Answer<tasks::Task> got;
  f.client->get(task.id, kMeta, got.reply());
  auto one = got.get();
  REQUIRE(one);
  CHECK(one->title == "one");
  Answer<tasks::TaskPage> listed;
  f.client->list({1, {}, std::nullopt}, kMeta, listed.reply());
  auto page = listed.get();
  REQUIRE(page);
  CHECK(page->tasks.size() == 1);
  CHECK_FALSE(page->nextPageToken.empty());
}

TEST_CASE("local tasks client: expected failures map as over gRPC") {
  Fixture f;
  const auto task = f.create("t");

  Answer<tasks::Task> missing;
  f.client->get("7d444840-9dc0-11d1-b245-5ffdce74fad2", kMeta, missing.reply());
  auto notFound = failure(missing);
  CHECK(notFound.kind == Kind::notFound);
  CHECK(notFound.code == "TASK_NOT_FOUND");

  Answer<tasks::Task> badId;
  f.client->get("nope", kMeta, badId.reply());
  auto invalid = failure(badId);
  CHECK(invalid.kind == Kind::invalidArgument);
  CHECK(invalid.code == "VALIDATION_FAILED");
  CHECK(invalid.field == "id");

  Answer<tasks::TaskPage> bigPage;
  f.client->list({101, {}, std::nullopt}, kMeta, bigPage.reply());
  auto size = failure(bigPage);
  CHECK(size.kind == Kind::invalidArgument);
  CHECK(size.field == "page_size");

  Answer<tasks::TaskPage> badToken;
  f.client->list({0, "garbage", std::nullopt}, kMeta, badToken.reply());
  auto token = failure(badToken);
  CHECK(token.kind == Kind::invalidArgument);
  CHECK(token.code == "INVALID_PAGE_TOKEN");
  CHECK(token.field == "page_token");

  Answer<tasks::Task> first, second;
  f.client->complete(task.id, kMeta, first.reply());
  REQUIRE(first.get());
  f.client->complete(task.id, kMeta, second.reply());
  auto again = failure(second);
  CHECK(again.kind == Kind::failedPrecondition);
  CHECK(again.code == "TASK_ALREADY_COMPLETED");

  Answer<CreatedTask> keyed, replayed, reused;
  tasks::NewTask request{"keyed", std::nullopt, std::nullopt, "key-1"};
  f.client->create(request, kMeta, keyed.reply());
  REQUIRE(keyed.get());
  f.client->create(request, kMeta, replayed.reply());
  auto replay = replayed.get();
  REQUIRE(replay);
  CHECK(replay->replayed);
  request.title = "other";
  f.client->create(request, kMeta, reused.reply());
  auto conflict = failure(reused);
  CHECK(conflict.kind == Kind::failedPrecondition);
  CHECK(conflict.code == "IDEMPOTENCY_KEY_REUSED");
  CHECK(conflict.field == "idempotency_key");
}

TEST_CASE("local tasks client: infrastructure failures map as over gRPC") {
  Fixture f;
  SECTION("unavailable: a write is tried once") {
    f.store.beforeEach = [] { throw Unavailable("no connection"); };
    Answer<CreatedTask> answer;
    f.client->create({"t", std::nullopt, std::nullopt, std::nullopt}, kMeta, answer.reply());
    auto error = failure(answer);
    CHECK(error.kind == Kind::unavailable);
    CHECK(error.code == "UNAVAILABLE");
    CHECK(f.store.calls() == 1);
  }
  SECTION("unavailable: a read is tried again, at most three times") {
    f.store.beforeEach = [] { throw Unavailable("no connection"); };
    Answer<tasks::Task> answer;
    f.client->get("7d444840-9dc0-11d1-b245-5ffdce74fad2", kMeta, answer.reply());
    CHECK(failure(answer).kind == Kind::unavailable);
    CHECK(f.store.calls() == 3);
  }
  SECTION("a read that succeeds on a later try answers the task") {
    const auto task = f.create("t");
    int calls = 0;
    f.store.beforeEach = [&calls] {
      if (++calls == 1) throw Unavailable("connection reset");
    };
    Answer<tasks::Task> answer;
    f.client->get(task.id, kMeta, answer.reply());
    auto result = answer.get();
    REQUIRE(result);
    CHECK(result->id == task.id);
  }
  SECTION("timed out") {
    f.store.beforeEach = [] { throw TimedOut("statement timeout"); };
    Answer<tasks::TaskPage> answer;
    f.client->list({}, kMeta, answer.reply());
    auto error = failure(answer);
    CHECK(error.kind == Kind::timedOut);
    CHECK(error.code == "DEADLINE_EXCEEDED");
  }
  SECTION("anything else is internal") {
    f.store.beforeEach = [] { throw std::logic_error("bug"); };
    Answer<tasks::Task> answer;
    f.client->complete("7d444840-9dc0-11d1-b245-5ffdce74fad2", kMeta, answer.reply());
    auto error = failure(answer);
    CHECK(error.kind == Kind::internal);
    CHECK(error.code == "INTERNAL");
  }
}

TEST_CASE(
    "local tasks client: a call past its deadline answers timedOut, a queued one never runs") {
  Fixture f({1, 4, 100ms});
  Gate gate;
  f.store.beforeEach = [opened = gate.opened] { opened.wait(); };
  Answer<tasks::Task> running, queued;
  f.client->get("7d444840-9dc0-11d1-b245-5ffdce74fad2", kMeta, running.reply());
  f.client->get("7d444840-9dc0-11d1-b245-5ffdce74fad2", kMeta, queued.reply());
  CHECK(failure(running).kind == Kind::timedOut);
  CHECK(failure(queued).kind == Kind::timedOut);
  gate.open.set_value();
  f.client.reset();  // waits for the worker
  CHECK(f.store.calls() == 1);
}

TEST_CASE(
    "local tasks client: a full queue answers unavailable at once, not on the caller's thread") {
  Fixture f({1, 1, 10s});
  Gate gate;
  std::promise<void> entered;
  std::atomic<int> calls{0};
  f.store.beforeEach = [&entered, &calls, opened = gate.opened] {
    if (++calls == 1) entered.set_value();
    opened.wait();
  };
  Answer<tasks::Task> running, queued, refused;
  f.client->get("7d444840-9dc0-11d1-b245-5ffdce74fad2", kMeta, running.reply());
  entered.get_future().wait();
  f.client->get("7d444840-9dc0-11d1-b245-5ffdce74fad2", kMeta, queued.reply());
  f.client->get("7d444840-9dc0-11d1-b245-5ffdce74fad2", kMeta, refused.reply());
  auto error = failure(refused);  // while the worker is still held
  CHECK(error.kind == Kind::unavailable);
  CHECK(*refused.thread != std::this_thread::get_id());
  gate.open.set_value();
  CHECK(failure(running).kind == Kind::notFound);
  CHECK(failure(queued).kind == Kind::notFound);
}
