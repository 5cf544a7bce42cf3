#pragma once

// The TaskStore contract (include/workstream/tasks/task_store.hpp), run
// against every adapter: the in-memory fake in the unit tests, Postgres in
// the integration tests. `eventTypesOf(taskId)` reads back, in order, the
// types of the outbox events written for a task.
#include <catch2/catch.hpp>
#include <functional>
#include <thread>

#include "tasks/task_events.hpp"
#include "workstream/core/trace.hpp"
#include "workstream/core/uuid.hpp"
#include "workstream/tasks/task_store.hpp"

namespace workstream::contracts {

using EventTypesOf = std::function<std::vector<std::string>(const std::string& taskId)>;

inline tasks::Task newTask(const std::string& title, Timestamp at) {
  tasks::Task task;
  task.id = newUuid();
  task.title = title;
  task.assigneeEmail = "ann@example.com";
  task.createdAt = task.updatedAt = at;
  return task;
}

inline tasks::OutboxEvent createdEvent(const tasks::Task& task) {
  return tasks::taskEvent(events::kTaskCreated, task, {"req-1", newTraceParent().traceId},
                          task.createdAt);
}

inline void checkTaskStoreContract(tasks::TaskStore& store, const EventTypesOf& eventTypesOf) {
  using std::chrono::microseconds;
  const auto t0 = std::chrono::floor<microseconds>(systemNow());
  const std::vector<std::string> created{std::string(events::kTaskCreated.type)};

  // A task reads back whole, with its one event.
  auto first = newTask("first", t0);
  first.description = "details";
  const auto made = store.create(first, createdEvent(first), std::nullopt);
  CHECK_FALSE(made.replayed);
  auto read = store.get(first.id);
  REQUIRE(read);
  CHECK(read->title == "first");
  CHECK(read->description == "details");
  CHECK(read->assigneeEmail == "ann@example.com");
  CHECK(read->status == tasks::TaskStatus::open);
  CHECK(read->createdAt == t0);
  CHECK_FALSE(read->completedAt);
  CHECK(eventTypesOf(first.id) == created);
  CHECK_FALSE(store.get(newUuid()));

  // An idempotency key maps to one task: a repeat returns it, writes nothing.
  const auto key = "contract-" + newUuid();
  auto keyed = newTask("keyed", t0 + microseconds(1));
  CHECK_FALSE(store.create(keyed, createdEvent(keyed), key).replayed);
  auto repeat = newTask("keyed again", t0 + microseconds(2));
  const auto replayed = store.create(repeat, createdEvent(repeat), key);
  CHECK(replayed.replayed);
  CHECK(replayed.task.id == keyed.id);
  CHECK(replayed.task.title == "keyed");
  CHECK_FALSE(store.get(repeat.id));
  CHECK(eventTypesOf(repeat.id).empty());

  // Concurrent creates with one key make one task.
  const auto raced = "race-" + newUuid();
  std::vector<std::string> ids(6);
  {
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < ids.size(); ++i) {
      threads.emplace_back([&, i] {
        auto task = newTask("raced", t0 + microseconds(10));
        ids[i] = store.create(task, createdEvent(task), raced).task.id;
      });
    }
    for (auto& t : threads) t.join();
  }
  CHECK(std::count(ids.begin(), ids.end(), ids[0]) == static_cast<long>(ids.size()));

  // Completion: once, with its event; then already completed; unknown ids.
  const auto at = t0 + microseconds(500);
  const auto makeEvent = [&](const tasks::Task& task) {
    return tasks::taskEvent(events::kTaskCompleted, task, {"req-2", newTraceParent().traceId}, at);
  };
  auto done = store.complete(first.id, at, makeEvent);
  REQUIRE(done.outcome == tasks::TaskStore::Completion::completed);
  CHECK(done.task->status == tasks::TaskStatus::completed);
  CHECK(done.task->completedAt == at);
  CHECK(store.get(first.id)->completedAt == at);
  CHECK(eventTypesOf(first.id) ==
        std::vector<std::string>{created[0], std::string(events::kTaskCompleted.type)});
  CHECK(store.complete(first.id, at, makeEvent).outcome ==
        tasks::TaskStore::Completion::alreadyCompleted);
  CHECK(store.complete(newUuid(), at, makeEvent).outcome == tasks::TaskStore::Completion::notFound);
  CHECK(eventTypesOf(first.id).size() == 2);

  // Of concurrent completions of one task exactly one succeeds.
  auto contested = newTask("contested", t0 + microseconds(20));
  store.create(contested, createdEvent(contested), std::nullopt);
  std::atomic<int> wins{0};
  {
    std::vector<std::thread> threads;
    for (int i = 0; i < 6; ++i) {
      threads.emplace_back([&] {
        if (store.complete(contested.id, at, makeEvent).outcome ==
            tasks::TaskStore::Completion::completed)
          ++wins;
      });
    }
    for (auto& t : threads) t.join();
  }
  CHECK(wins == 1);
  CHECK(eventTypesOf(contested.id).size() == 2);

  // Listing: newest first, paged by cursor, filtered by status. Five tasks
  // far in the future of everything else this store holds.
  const auto future = t0 + std::chrono::hours(24 * 365 * 50);
  std::vector<tasks::Task> listed;
  for (int i = 0; i < 5; ++i) {
    listed.push_back(newTask("listed", future + microseconds(i % 4)));  // two share a time
    store.create(listed.back(), createdEvent(listed.back()), std::nullopt);
  }
  std::sort(listed.begin(), listed.end(), [](const auto& a, const auto& b) {
    return std::tie(a.createdAt, a.id) > std::tie(b.createdAt, b.id);
  });
  tasks::StoreQuery query;
  query.limit = 2;
  std::vector<std::string> paged;
  for (int page = 0; page < 3; ++page) {
    const auto items = store.list(query);
    REQUIRE_FALSE(items.empty());
    for (const auto& task : items) paged.push_back(task.id);
    query.after = tasks::PageCursor{items.back().createdAt, items.back().id};
  }
  std::vector<std::string> expected;
  for (const auto& task : listed) expected.push_back(task.id);
  CHECK(std::vector(paged.begin(), paged.begin() + 5) == expected);
  store.complete(listed[1].id, future, makeEvent);
  tasks::StoreQuery completedOnly;
  completedOnly.status = tasks::TaskStatus::completed;
  completedOnly.limit = 1;
  const auto newestCompleted = store.list(completedOnly);
  REQUIRE(newestCompleted.size() == 1);
  CHECK(newestCompleted[0].id == listed[1].id);
}

}  // namespace workstream::contracts
