#pragma once

#include <string>

namespace workstream::tasks {

// How a call to the tasks API failed, as every face of that API (the gRPC
// service, the in-process client) reports it and the gateway reads it: one
// vocabulary, so that a caller sees the same failure whichever way it called.
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

}  // namespace workstream::tasks
