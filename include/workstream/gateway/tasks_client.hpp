#pragma once

#include <functional>
#include <string>

#include "workstream/core/result.hpp"
#include "workstream/tasks/call_failure.hpp"
#include "workstream/tasks/task.hpp"

namespace workstream::gateway {

// Who is calling, passed on to the tasks service.
struct CallMeta {
  std::string requestId;
  std::string traceparent;  // W3C, for the tasks service's span
};

// Why a call to the tasks service failed, as that service said it.
using CallError = tasks::CallFailure;

template <class T>
using Reply = std::function<void(Result<T, CallError>)>;

struct CreatedTask {
  tasks::Task task;
  bool replayed = false;
};

// The tasks API as the gateway uses it. Every call answers exactly once,
// through `reply`, on a thread of the client's; none blocks the caller.
// Each call has a deadline; reads are retried while the service is
// unavailable, writes never are.
class TasksClient {
 public:
  virtual ~TasksClient() = default;
  virtual void create(const tasks::NewTask& task, const CallMeta& meta,
                      Reply<CreatedTask> reply) = 0;
  virtual void get(const std::string& id, const CallMeta& meta, Reply<tasks::Task> reply) = 0;
  virtual void list(const tasks::ListQuery& query, const CallMeta& meta,
                    Reply<tasks::TaskPage> reply) = 0;
  virtual void complete(const std::string& id, const CallMeta& meta, Reply<tasks::Task> reply) = 0;
};

}  // namespace workstream::gateway
