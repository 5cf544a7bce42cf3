#pragma once

// The TasksClient contract (include/workstream/gateway/tasks_client.hpp), run
// against every adapter: the in-process client over TaskService and the
// in-memory store in the unit tests, the gRPC client against the gRPC
// service over Postgres in the integration tests. Same calls, same answers.
#include <catch2/catch.hpp>
#include <future>

#include "workstream/gateway/tasks_client.hpp"

namespace workstream::contracts {

// Waits for a call's one answer (a second one would throw in the client's thread).
template <class T, class Call>
Result<T, gateway::CallError> answerOf(Call call) {
  auto promise = std::make_shared<std::promise<Result<T, gateway::CallError>>>();
  auto future = promise->get_future();
  call([promise](Result<T, gateway::CallError> result) { promise->set_value(std::move(result)); });
  REQUIRE(future.wait_for(std::chrono::seconds(15)) == std::future_status::ready);
  return future.get();
}

inline void checkFailure(const gateway::CallError& error, gateway::CallError::Kind kind,
                         const std::string& code, const std::string& field = {}) {
  CHECK(error.kind == kind);
  CHECK(error.code == code);
  CHECK(error.field == field);
  CHECK_FALSE(error.message.empty());
}

inline void checkTasksClientContract(gateway::TasksClient& client) {
  using Kind = gateway::CallError::Kind;
  const gateway::CallMeta meta{"req-1", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"};
  auto create = [&](tasks::NewTask task) {
    return answerOf<gateway::CreatedTask>(
        [&](auto reply) { client.create(task, meta, std::move(reply)); });
  };
  auto get = [&](const std::string& id) {
    return answerOf<tasks::Task>([&](auto reply) { client.get(id, meta, std::move(reply)); });
  };
  auto complete = [&](const std::string& id) {
    return answerOf<tasks::Task>([&](auto reply) { client.complete(id, meta, std::move(reply)); });
  };
  auto list = [&](tasks::ListQuery query) {
    return answerOf<tasks::TaskPage>(
        [&](auto reply) { client.list(query, meta, std::move(reply)); });
  };
  const std::string unknown = "00000000-0000-4000-8000-000000000000";

  // Create: the task as stored, every field; the same key replays it.
  auto created = create({"Review ünïcode", std::string("notes"), std::string("a@example.com"),
                         std::string("contract-key")});
  REQUIRE(created.ok());
  CHECK_FALSE(created->replayed);
  const auto task = created->task;
  CHECK(task.title == "Review ünïcode");
  CHECK(task.description == std::optional<std::string>("notes"));
  CHECK(task.assigneeEmail == std::optional<std::string>("a@example.com"));
  CHECK(task.status == tasks::TaskStatus::open);
  CHECK_FALSE(task.completedAt);
  auto replayed = create({"Review ünïcode", std::string("notes"), std::string("a@example.com"),
                          std::string("contract-key")});
  REQUIRE(replayed.ok());
  CHECK(replayed->replayed);
  CHECK(replayed->task.id == task.id);
  auto reused = create({"Something else", {}, {}, std::string("contract-key")});
  REQUIRE_FALSE(reused.ok());
  checkFailure(reused.error(), Kind::failedPrecondition, "IDEMPOTENCY_KEY_REUSED",
               "idempotency_key");
  auto invalid = create({" ", {}, {}, {}});
  REQUIRE_FALSE(invalid.ok());
  checkFailure(invalid.error(), Kind::invalidArgument, "VALIDATION_FAILED", "title");

  // Get: the same task, to the microsecond; unknown and malformed ids.
  auto got = get(task.id);
  REQUIRE(got.ok());
  CHECK(got->id == task.id);
  CHECK(got->title == task.title);
  CHECK(got->createdAt == task.createdAt);
  CHECK(got->updatedAt == task.updatedAt);
  REQUIRE_FALSE(get(unknown).ok());
  checkFailure(get(unknown).error(), Kind::notFound, "TASK_NOT_FOUND");
  auto malformed = get("not-a-uuid");
  REQUIRE_FALSE(malformed.ok());
  CHECK(malformed.error().kind == Kind::invalidArgument);
  CHECK(malformed.error().code == "VALIDATION_FAILED");

  // List: newest first, in pages, filtered by status.
  std::vector<std::string> ids{task.id};
  for (int i = 0; i < 2; ++i) {
    auto more = create({"task " + std::to_string(i), {}, {}, {}});
    REQUIRE(more.ok());
    ids.insert(ids.begin(), more->task.id);
  }
  auto first = list({2, "", std::nullopt});
  REQUIRE(first.ok());
  REQUIRE(first->tasks.size() == 2);
  CHECK(first->tasks[0].id == ids[0]);
  CHECK(first->tasks[1].id == ids[1]);
  REQUIRE_FALSE(first->nextPageToken.empty());
  auto second = list({2, first->nextPageToken, std::nullopt});
  REQUIRE(second.ok());
  REQUIRE(second->tasks.size() == 1);
  CHECK(second->tasks[0].id == ids[2]);
  CHECK(second->nextPageToken.empty());
  auto badToken = list({2, "garbage", std::nullopt});
  REQUIRE_FALSE(badToken.ok());
  checkFailure(badToken.error(), Kind::invalidArgument, "INVALID_PAGE_TOKEN", "page_token");
  auto badSize = list({101, "", std::nullopt});
  REQUIRE_FALSE(badSize.ok());
  checkFailure(badSize.error(), Kind::invalidArgument, "VALIDATION_FAILED", "page_size");

  // Complete: once; again is an illegal transition; unknown is not found.
  auto done = complete(task.id);
  REQUIRE(done.ok());
  CHECK(done->status == tasks::TaskStatus::completed);
  REQUIRE(done->completedAt);
  CHECK(*done->completedAt == done->updatedAt);
  auto again = complete(task.id);
  REQUIRE_FALSE(again.ok());
  checkFailure(again.error(), Kind::failedPrecondition, "TASK_ALREADY_COMPLETED");
  auto missing = complete(unknown);
  REQUIRE_FALSE(missing.ok());
  checkFailure(missing.error(), Kind::notFound, "TASK_NOT_FOUND");
  auto completedOnly = list({0, "", tasks::TaskStatus::completed});
  REQUIRE(completedOnly.ok());
  REQUIRE(completedOnly->tasks.size() == 1);
  CHECK(completedOnly->tasks[0].id == task.id);
}

// A tasks service (or its store) that cannot be reached: a write answers
// unavailable, once. (The code is the transport's: the gateway reads the kind.)
inline void checkTasksClientUnavailable(gateway::TasksClient& client) {
  auto answer = answerOf<gateway::CreatedTask>([&](auto reply) {
    client.create({"t", {}, {}, {}}, {"req-1", ""}, std::move(reply));
  });
  REQUIRE_FALSE(answer.ok());
  CHECK(answer.error().kind == gateway::CallError::Kind::unavailable);
}

}  // namespace workstream::contracts
