#pragma once

#include <exception>
#include <functional>
#include <string_view>

#include "workstream/core/result.hpp"
#include "workstream/tasks/task_store.hpp"

namespace workstream::tasks {

// The tasks API's logic: validation, the lifecycle, and the events each
// change emits. Infrastructure failures from the store pass through as
// exceptions; every expected failure is a TaskError.
class TaskService {
 public:
  TaskService(TaskStore& store, Clock clock) : store_(store), clock_(std::move(clock)) {}

  Result<TaskStore::Created, TaskError> create(NewTask request, const CallContext& context);
  // create() without blocking, for a valid request with no idempotency key,
  // when the store can start it now (TaskStore::tryCreateAsync): as
  // tryGetAsync below. False, `done` untouched: call create() instead.
  using CreateDone = std::function<void(Result<TaskStore::Created, TaskError>, std::exception_ptr)>;
  bool tryCreateAsync(const NewTask& request, const CallContext& context, CreateDone& done);
  Result<Task, TaskError> get(std::string_view id);
  // get() without blocking, when the store can start it now (see
  // TaskStore::tryGetAsync): true, and `done` is taken and called once, on
  // the caller's event loop, with get()'s answer or the exception it would
  // throw. False when it cannot, `done` untouched: call get() instead.
  using GetDone = std::function<void(Result<Task, TaskError>, std::exception_ptr)>;
  bool tryGetAsync(std::string_view id, GetDone& done);
  Result<TaskPage, TaskError> list(const ListQuery& query);
  Result<Task, TaskError> complete(std::string_view id, const CallContext& context);

 private:
  TaskStore& store_;
  Clock clock_;
};

}  // namespace workstream::tasks
