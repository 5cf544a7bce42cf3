#pragma once

#include <string>
#include <string_view>

#include "workstream/core/log.hpp"
#include "workstream/tasks/call_failure.hpp"
#include "workstream/tasks/task.hpp"

namespace workstream::tasks {

// The one mapping from the tasks service's outcomes to a CallFailure.
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
