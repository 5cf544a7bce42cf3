#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <regex>
#include <set>
#include <thread>

#include "tasks_fixture.hpp"
#include "workstream/core/errors.hpp"

using namespace workstream;
using namespace workstream::tasks;
using workstream::testing::TasksFixture;

namespace {

// Every field of the seed's envelope, and nothing else.
void checkEnvelope(const std::string& json, const std::string& type, const Task& task,
                   const std::string& traceId) {
  const auto envelope = boost::json::parse(json).as_object();
  CHECK(envelope.size() == 6);
  CHECK(std::regex_match(
      std::string(envelope.at("event_id").as_string()),
      std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")));
  CHECK(envelope.at("event_type") == type.c_str());
  CHECK(std::regex_match(std::string(envelope.at("occurred_at").as_string()),
                         std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)")));
  CHECK(envelope.at("producer") == "workstream-tasks");
  CHECK(envelope.at("trace_id") == traceId.c_str());
  const auto& payload = envelope.at("payload").as_object();
  CHECK(payload.at("task_id") == task.id.c_str());
  CHECK(payload.at("title") == task.title.c_str());
  CHECK(payload.at("status") == toString(task.status).data());
}

}  // namespace

TEST_CASE("tasks store: a created task reads back whole, with one created event") {
  TasksFixture f;
  auto created = f.service.create({"  Write the report  ", std::string("Quarterly numbers"),
                                   std::string("ann@example.com"), std::nullopt},
                                  f.context);
  REQUIRE(created.ok());
  const Task& task = created->task;
  CHECK(task.title == "Write the report");
  CHECK_FALSE(created->replayed);

  auto read = f.service.get(task.id);
  REQUIRE(read.ok());
  CHECK(read->title == "Write the report");
  CHECK(read->description == "Quarterly numbers");
  CHECK(read->assigneeEmail == "ann@example.com");
  CHECK(read->status == TaskStatus::open);
  CHECK(read->createdAt == task.createdAt);  // microseconds survive the round trip
  CHECK_FALSE(read->completedAt.has_value());

  auto rows = f.db.sql("SELECT event_type, routing_key, aggregate_id, envelope::text FROM outbox");
  REQUIRE(rows.rows() == 1);
  CHECK(rows.text(0, 0) == "workstream.task.created.v1");
  CHECK(rows.text(0, 1) == "workstream.task.created");
  CHECK(rows.text(0, 2) == task.id);
  checkEnvelope(std::string(rows.text(0, 3)), "workstream.task.created.v1", task,
                f.context.traceId);
  CHECK(boost::json::parse(rows.text(0, 3)).at("payload").at("assignee_email") ==
        "ann@example.com");
}

TEST_CASE("tasks store: completing emits one completed event, completing again emits nothing") {
  TasksFixture f;
  const auto task = f.create("Ship it");
  auto completed = f.service.complete(task.id, f.context);
  REQUIRE(completed.ok());
  CHECK(completed->status == TaskStatus::completed);
  REQUIRE(completed->completedAt.has_value());
  CHECK(completed->updatedAt == *completed->completedAt);

  auto again = f.service.complete(task.id, f.context);
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == ErrorCode::alreadyCompleted);

  auto events = f.db.sql(
      "SELECT envelope::text FROM outbox WHERE event_type = "
      "'workstream.task.completed.v1'");
  REQUIRE(events.rows() == 1);
  checkEnvelope(std::string(events.text(0, 0)), "workstream.task.completed.v1", *completed,
                f.context.traceId);
  CHECK(f.db.count("SELECT count(*) FROM outbox") == 2);
}

TEST_CASE("tasks store: unknown and malformed ids") {
  TasksFixture f;
  const std::string unknown = "0b7e7c2a-3f7e-4c55-9a53-1c1d2f0b7e01";
  CHECK(f.service.get(unknown).error().code == ErrorCode::notFound);
  CHECK(f.service.complete(unknown, f.context).error().code == ErrorCode::notFound);
  auto bad = f.service.get("not-a-uuid");
  CHECK(bad.error().code == ErrorCode::validationFailed);
  CHECK(bad.error().field == "id");
  CHECK(f.db.count("SELECT count(*) FROM outbox") == 0);
}

TEST_CASE("tasks store: a failure between the task write and the outbox write leaves neither") {
  TasksFixture f;
  // A trigger makes the outbox insert fail for one title, after the task row
  // was written in the same transaction.
  f.db.sql(R"(
    CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.envelope::jsonb #>> '{payload,title}' = 'boom' THEN
        RAISE EXCEPTION 'outbox write refused';
      END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER refuse_boom BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION refuse_boom();
  )");
  CHECK_THROWS_AS(f.service.create({"boom", {}, {}, {}}, f.context), InfrastructureError);
  CHECK(f.db.count("SELECT count(*) FROM tasks") == 0);
  CHECK(f.db.count("SELECT count(*) FROM outbox") == 0);

  // The same for completion: the task stays open.
  f.db.sql("ALTER TABLE outbox DISABLE TRIGGER refuse_boom");
  const auto task = f.create("boom");
  f.db.sql("ALTER TABLE outbox ENABLE TRIGGER refuse_boom");
  CHECK_THROWS_AS(f.service.complete(task.id, f.context), InfrastructureError);
  CHECK(f.service.get(task.id)->status == TaskStatus::open);
  CHECK(f.db.count("SELECT count(*) FROM outbox") == 1);
}

TEST_CASE("tasks store: of many concurrent completions exactly one succeeds") {
  TasksFixture f;
  const auto task = f.create("Race");
  constexpr int kCallers = 16;
  std::atomic<int> completed{0}, refused{0};
  std::vector<std::thread> callers;
  for (int i = 0; i < kCallers; ++i) {
    callers.emplace_back([&] {
      auto result = f.service.complete(task.id, f.context);
      if (result.ok())
        ++completed;
      else if (result.error().code == ErrorCode::alreadyCompleted)
        ++refused;
    });
  }
  for (auto& t : callers) t.join();
  CHECK(completed == 1);
  CHECK(refused == kCallers - 1);
  CHECK(f.db.count(
            "SELECT count(*) FROM outbox WHERE event_type = 'workstream.task.completed.v1'") == 1);
}

TEST_CASE("tasks store: concurrent retries with one idempotency key create one task") {
  TasksFixture f;
  constexpr int kCallers = 16;
  std::vector<std::string> ids(kCallers);
  std::atomic<int> replayed{0};
  std::vector<std::thread> callers;
  for (int i = 0; i < kCallers; ++i) {
    callers.emplace_back([&, i] {
      auto created = f.service.create({"Once", {}, {}, std::string("key-123")}, f.context);
      REQUIRE(created.ok());
      ids[i] = created->task.id;
      if (created->replayed) ++replayed;
    });
  }
  for (auto& t : callers) t.join();
  CHECK(std::all_of(ids.begin(), ids.end(), [&](const auto& id) { return id == ids[0]; }));
  CHECK(replayed == kCallers - 1);
  CHECK(f.db.count("SELECT count(*) FROM tasks") == 1);
  CHECK(f.db.count("SELECT count(*) FROM outbox") == 1);
}

TEST_CASE("tasks store: an idempotency key is bound to its task for 24 hours") {
  TasksFixture f;
  auto first = f.service.create({"Same", {}, {}, std::string("k")}, f.context);
  REQUIRE(first.ok());

  auto other = f.service.create({"Different", {}, {}, std::string("k")}, f.context);
  REQUIRE_FALSE(other.ok());
  CHECK(other.error().code == ErrorCode::idempotencyKeyReused);

  // Older than 24 hours, the key is free again.
  f.db.sql("UPDATE task_idempotency_keys SET created_at = now() - interval '25 hours'");
  auto later = f.service.create({"Same", {}, {}, std::string("k")}, f.context);
  REQUIRE(later.ok());
  CHECK_FALSE(later->replayed);
  CHECK(later->task.id != first->task.id);
  CHECK(f.db.count("SELECT count(*) FROM tasks") == 2);
}

TEST_CASE("tasks store: pages cover every task once, newest first, while tasks are added") {
  TasksFixture f;
  constexpr int kExisting = 120;
  std::set<std::string> existing;
  for (int i = 0; i < kExisting; ++i) existing.insert(f.create("task " + std::to_string(i)).id);

  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 0; i < 200 && !done; ++i) f.create("concurrent " + std::to_string(i));
  });
  std::vector<Task> seen;
  std::string token;
  int pages = 0;
  do {
    auto page = f.service.list({7, token, std::nullopt});
    REQUIRE(page.ok());
    seen.insert(seen.end(), page->tasks.begin(), page->tasks.end());
    token = page->nextPageToken;
    ++pages;
  } while (!token.empty());
  done = true;
  writer.join();

  std::set<std::string> ids;
  for (const auto& t : seen) CHECK(ids.insert(t.id).second);  // no duplicates
  for (const auto& id : existing) CHECK(ids.count(id) == 1);  // no gaps
  for (std::size_t i = 1; i < seen.size(); ++i) {
    const bool newerFirst =
        seen[i - 1].createdAt > seen[i].createdAt ||
        (seen[i - 1].createdAt == seen[i].createdAt && seen[i - 1].id > seen[i].id);
    CHECK(newerFirst);
  }
  CHECK(pages >= kExisting / 7);
}

TEST_CASE("tasks store: listing filters by status and checks its arguments") {
  TasksFixture f;
  const auto a = f.create("a");
  f.create("b");
  REQUIRE(f.service.complete(a.id, f.context).ok());

  auto completed = f.service.list({0, "", TaskStatus::completed});
  REQUIRE(completed.ok());
  REQUIRE(completed->tasks.size() == 1);
  CHECK(completed->tasks[0].id == a.id);
  CHECK(completed->nextPageToken.empty());
  CHECK(f.service.list({0, "", TaskStatus::open})->tasks.size() == 1);

  CHECK(f.service.list({101, "", std::nullopt}).error().field == "page_size");
  CHECK(f.service.list({-1, "", std::nullopt}).error().field == "page_size");
  CHECK(f.service.list({10, "zz", std::nullopt}).error().code == ErrorCode::invalidPageToken);
  CHECK(f.service.list({10, "6331", std::nullopt}).error().code == ErrorCode::invalidPageToken);
}
