#pragma once

#include <string>
#include <string_view>

#include "workstream/core/log.hpp"
#include "workstream/tasks/task.hpp"

namespace workstream::tasks {

// How a call to the tasks API failed, as every face of that API (the gRPC
// service, the in-process client) reports it: one mapping, so that a caller
// sees the same failure whichever way it called.
struct CallFailure {
  enum class Kind {
    invalidArgument,
    notFound,
    failedPrecondition,
    unavailable,
    timedOut,
    internal
  };
  Kind kind;
  std::string code;  // e.g. TASK_ALREADY_COMPLETED, UNAVAILABLE
  std::string message;
  std::string field;  // for invalidArgument and failedPrecondition
};

CallFailure failureOf(const TaskError& error);

// Call only inside a catch block: the failure the exception in flight means
// (Unavailable, TimedOut, anything else), logged with the call's ids.
CallFailure currentFailure(const Logger& log, std::string_view method, const CallContext& call);

// The call's deadline passed before it could start.
CallFailure deadlinePassed();

// The caller's request id (a new one when empty) and the trace of its W3C
// traceparent (a new trace when absent or malformed).
CallContext callContextOf(std::string requestId, std::string_view traceparent);

}  // namespace workstream::tasks
