// TaskService over the in-memory store: validation, the lifecycle, the
// events each change writes, idempotency and paging, without a server. The
// same service over Postgres is in tests/integration/tasks.
#include "tasks/task_service.hpp"

#include <catch2/catch.hpp>

#include "fakes/memory_task_store.hpp"
#include "workstream/core/errors.hpp"
#include "workstream/events/contracts.hpp"

using namespace workstream;
using namespace std::chrono_literals;

namespace {

struct Fixture {
  fakes::MemoryTaskStore store;
  // A clock that moves one millisecond per call: creation order is list order.
  Timestamp now = systemNow();
  tasks::TaskService service{store, [this] { return now += 1ms; }};
  tasks::CallContext context{"req-1", "4bf92f3577b34da6a3ce929d0e0e4736"};

  tasks::Task create(const std::string& title, std::optional<std::string> key = std::nullopt) {
    auto created = service.create({title, std::nullopt, std::nullopt, std::move(key)}, context);
    REQUIRE(created.ok());
    return created->task;
  }
};

}  // namespace

TEST_CASE("task service: create validates, stores the task and writes its event") {
  Fixture f;
  auto created =
      f.service.create({"Ship it", std::string("notes"), std::string("a@b.io"), {}}, f.context);
  REQUIRE(created.ok());
  CHECK_FALSE(created->replayed);
  const auto& task = created->task;
  CHECK(task.title == "Ship it");
  CHECK(task.status == tasks::TaskStatus::open);
  CHECK(task.createdAt == task.updatedAt);
  CHECK_FALSE(task.completedAt);
  CHECK(f.store.get(task.id));
  REQUIRE(f.store.outbox().size() == 1);
  const auto event = f.store.outbox()[0];
  CHECK(event.eventType == events::kTaskCreated.type);
  CHECK(event.aggregateId == task.id);
  CHECK(event.requestId == "req-1");
  CHECK(event.traceId == f.context.traceId);

  auto empty = f.service.create({"", {}, {}, {}}, f.context);
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error().code == tasks::ErrorCode::validationFailed);
  CHECK(empty.error().field == "title");
  auto badEmail = f.service.create({"t", {}, std::string("not an address"), {}}, f.context);
  REQUIRE_FALSE(badEmail.ok());
  CHECK(badEmail.error().field == "assignee_email");
  CHECK(f.store.outbox().size() == 1);  // refused requests write nothing
}

TEST_CASE("task service: an idempotency key replays the first task, other content is refused") {
  Fixture f;
  const auto first = f.create("Once", "key-1");
  auto again = f.service.create({"Once", {}, {}, std::string("key-1")}, f.context);
  REQUIRE(again.ok());
  CHECK(again->replayed);
  CHECK(again->task.id == first.id);
  CHECK(f.store.outbox().size() == 1);

  auto other = f.service.create({"Something else", {}, {}, std::string("key-1")}, f.context);
  REQUIRE_FALSE(other.ok());
  CHECK(other.error().code == tasks::ErrorCode::idempotencyKeyReused);
  CHECK(other.error().field == "idempotency_key");
  CHECK(f.store.outbox().size() == 1);
}

TEST_CASE("task service: get by id, canonical or not, unknown and malformed ids") {
  Fixture f;
  const auto task = f.create("Find me");
  auto found = f.service.get(task.id);
  REQUIRE(found.ok());
  CHECK(found->title == "Find me");
  std::string upper = task.id;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto byUpper = f.service.get(upper);
  REQUIRE(byUpper.ok());
  CHECK(byUpper->id == task.id);

  auto missing = f.service.get("00000000-0000-4000-8000-000000000000");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == tasks::ErrorCode::notFound);
  auto malformed = f.service.get("not-a-uuid");
  REQUIRE_FALSE(malformed.ok());
  CHECK(malformed.error().code == tasks::ErrorCode::validationFailed);
}

TEST_CASE("task service: list pages newest first and filters by status") {
  Fixture f;
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(f.create("t" + std::to_string(i)).id);
  std::vector<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    auto page = f.service.list({2, token, std::nullopt});
    REQUIRE(page.ok());
    for (const auto& task : page->tasks) seen.push_back(task.id);
    token = page->nextPageToken;
    ++pages;
  } while (!token.empty() && pages < 10);
  CHECK(pages == 3);
  CHECK(seen == std::vector<std::string>(ids.rbegin(), ids.rend()));

  REQUIRE(f.service.complete(ids[1], f.context).ok());
  auto completed = f.service.list({0, "", tasks::TaskStatus::completed});
  REQUIRE(completed.ok());
  REQUIRE(completed->tasks.size() == 1);
  CHECK(completed->tasks[0].id == ids[1]);
  CHECK(completed->nextPageToken.empty());

  for (int size : {-1, 101}) {
    auto bad = f.service.list({size, "", std::nullopt});
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().field == "page_size");
  }
  auto badToken = f.service.list({0, "garbage", std::nullopt});
  REQUIRE_FALSE(badToken.ok());
  CHECK(badToken.error().code == tasks::ErrorCode::invalidPageToken);
}

TEST_CASE("task service: complete once, with its event, twice is an illegal transition") {
  Fixture f;
  const auto task = f.create("Finish");
  auto done = f.service.complete(task.id, f.context);
  REQUIRE(done.ok());
  CHECK(done->status == tasks::TaskStatus::completed);
  REQUIRE(done->completedAt);
  CHECK(*done->completedAt == done->updatedAt);
  CHECK(done->updatedAt > task.updatedAt);
  REQUIRE(f.store.outbox().size() == 2);
  CHECK(f.store.outbox()[1].eventType == events::kTaskCompleted.type);
  CHECK(f.store.outbox()[1].aggregateId == task.id);

  auto again = f.service.complete(task.id, f.context);
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == tasks::ErrorCode::alreadyCompleted);
  CHECK(f.store.outbox().size() == 2);

  auto missing = f.service.complete("00000000-0000-4000-8000-000000000000", f.context);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == tasks::ErrorCode::notFound);
}

TEST_CASE("task service: the store's infrastructure failures pass through as exceptions") {
  Fixture f;
  f.store.beforeEach = [] { throw Unavailable("PostgreSQL: connection refused"); };
  CHECK_THROWS_AS(f.service.create({"t", {}, {}, {}}, f.context), Unavailable);
  CHECK_THROWS_AS(f.service.get("00000000-0000-4000-8000-000000000000"), Unavailable);
}
