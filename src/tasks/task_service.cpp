#include "tasks/task_service.hpp"

#include "tasks/page_token.hpp"
#include "tasks/task_events.hpp"
#include "tasks/validation.hpp"
#include "workstream/core/uuid.hpp"

namespace workstream::tasks {
namespace {

constexpr int kDefaultPageSize = 20;
constexpr int kMaxPageSize = 100;

bool sameRequest(const Task& earlier, const NewTask& request) {
  return earlier.title == request.title && earlier.description == request.description &&
         earlier.assigneeEmail == request.assigneeEmail;
}

TaskError noSuchTask(const std::string& id) {
  return TaskError{ErrorCode::notFound, "no task with id " + id, {}};
}

}  // namespace

Result<TaskStore::Created, TaskError> TaskService::create(NewTask request,
                                                          const CallContext& context) {
  auto valid = validateNewTask(std::move(request));
  if (!valid) return valid.error();
  request = std::move(*valid);
  const auto now = clock_();
  Task task{newUuid(), request.title, request.description, request.assigneeEmail, TaskStatus::open,
            now,       now,           std::nullopt};
  auto created = store_.create(task, taskEvent(events::kTaskCreated, task, context, now),
                               request.idempotencyKey);
  if (created.replayed && !sameRequest(created.task, request)) {
    return TaskError{ErrorCode::idempotencyKeyReused,
                     "this idempotency key was used for a different task", "idempotency_key"};
  }
  return created;
}

bool TaskService::tryCreateAsync(const NewTask& request, const CallContext& context,
                                 CreateDone& done) {
  if (request.idempotencyKey) return false;  // a replay needs more than one statement
  auto valid = validateNewTask(request);
  if (!valid) return false;  // answered by create(), on the caller's way
  const auto now = clock_();
  Task task{newUuid(), valid->title, valid->description, valid->assigneeEmail, TaskStatus::open,
            now,       now,          std::nullopt};
  const auto event = taskEvent(events::kTaskCreated, task, context, now);
  TaskStore::CreateDone answer = [done](std::optional<TaskStore::Created> created,
                                        std::exception_ptr error) {
    if (error) return done(TaskStore::Created{}, error);
    done(std::move(*created), nullptr);
  };
  if (!store_.tryCreateAsync(task, event, answer)) return false;
  done = nullptr;
  return true;
}

Result<Task, TaskError> TaskService::get(std::string_view id) {
  auto validId = validateId(id);
  if (!validId) return validId.error();
  const auto& canonical = *validId;
  auto task = store_.get(canonical);
  if (!task) return noSuchTask(canonical);
  return *task;
}

bool TaskService::tryGetAsync(std::string_view id, GetDone& done) {
  auto validId = validateId(id);
  if (!validId) return false;  // answered by get(), on the caller's way
  TaskStore::GetDone answer = [done, canonical = *validId](std::optional<Task> task,
                                                           std::exception_ptr error) {
    if (error) return done(Task{}, error);
    if (!task) return done(noSuchTask(canonical), nullptr);
    done(std::move(*task), nullptr);
  };
  if (!store_.tryGetAsync(*validId, answer)) return false;
  done = nullptr;
  return true;
}

Result<TaskPage, TaskError> TaskService::list(const ListQuery& query) {
  const int size = query.pageSize == 0 ? kDefaultPageSize : query.pageSize;
  if (size < 1 || size > kMaxPageSize) {
    return TaskError{ErrorCode::validationFailed, "page size must be between 1 and 100",
                     "page_size"};
  }
  StoreQuery storeQuery{size + 1, std::nullopt, query.status};
  if (!query.pageToken.empty()) {
    storeQuery.after = decodePageToken(query.pageToken);
    if (!storeQuery.after) {
      return TaskError{ErrorCode::invalidPageToken, "the page token is not valid", "page_token"};
    }
  }
  TaskPage page;
  page.tasks = store_.list(storeQuery);
  if (page.tasks.size() > static_cast<std::size_t>(size)) {
    page.tasks.pop_back();
    page.nextPageToken = encodePageToken({page.tasks.back().createdAt, page.tasks.back().id});
  }
  return page;
}

Result<Task, TaskError> TaskService::complete(std::string_view id, const CallContext& context) {
  auto validId = validateId(id);
  if (!validId) return validId.error();
  const auto& canonical = *validId;
  const auto now = clock_();
  auto result = store_.complete(canonical, now, [&](const Task& completed) {
    return taskEvent(events::kTaskCompleted, completed, context, now);
  });
  switch (result.outcome) {
    case TaskStore::Completion::completed:
      return *result.task;
    case TaskStore::Completion::notFound:
      return noSuchTask(canonical);
    case TaskStore::Completion::alreadyCompleted:
      break;
  }
  return TaskError{ErrorCode::alreadyCompleted, "task " + canonical + " is already completed", {}};
}

}  // namespace workstream::tasks
