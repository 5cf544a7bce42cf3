#include "tasks/call_failure.hpp"

#include <exception>

#include "workstream/core/errors.hpp"
#include "workstream/core/trace.hpp"
#include "workstream/core/uuid.hpp"

namespace workstream::tasks {
namespace {

CallFailure::Kind kindOf(ErrorCode code) {
  switch (code) {
    case ErrorCode::validationFailed:
    case ErrorCode::invalidPageToken:
      return CallFailure::Kind::invalidArgument;
    case ErrorCode::notFound:
      return CallFailure::Kind::notFound;
    case ErrorCode::alreadyCompleted:
    case ErrorCode::idempotencyKeyReused:
      return CallFailure::Kind::failedPrecondition;
  }
  return CallFailure::Kind::internal;
}

}  // namespace

CallFailure failureOf(const TaskError& error) {
  return {kindOf(error.code), std::string(toString(error.code)), error.message, error.field};
}

CallFailure currentFailure(const Logger& log, std::string_view method, const CallContext& call) {
  using Kind = CallFailure::Kind;
  try {
    throw;
  } catch (const Unavailable& e) {
    log.warn("tasks store unavailable", {{"method", method},
                                         {"request_id", call.requestId},
                                         {"trace_id", call.traceId},
                                         {"error", e.what()}});
    return {Kind::unavailable, "UNAVAILABLE", "the task store is unavailable", {}};
  } catch (const TimedOut& e) {
    log.warn("tasks store timed out", {{"method", method},
                                       {"request_id", call.requestId},
                                       {"trace_id", call.traceId},
                                       {"error", e.what()}});
    return {Kind::timedOut, "DEADLINE_EXCEEDED", "the task store did not answer in time", {}};
  } catch (const std::exception& e) {
    log.error("call failed", {{"method", method},
                              {"request_id", call.requestId},
                              {"trace_id", call.traceId},
                              {"error", e.what()}});
  } catch (...) {
    log.error("call failed", {{"method", method},
                              {"request_id", call.requestId},
                              {"trace_id", call.traceId},
                              {"error", "an exception of unknown type"}});
  }
  return {Kind::internal, "INTERNAL", "internal error", {}};
}

CallFailure deadlinePassed() {
  return {CallFailure::Kind::timedOut,
          "DEADLINE_EXCEEDED",
          "the deadline passed before the call started",
          {}};
}

CallContext callContextOf(std::string requestId, std::string_view traceparent) {
  CallContext call{std::move(requestId), {}};
  if (call.requestId.empty()) call.requestId = newUuid();
  auto parent = parseTraceparent(traceparent);
  call.traceId = parent ? parent->traceId : newTraceParent().traceId;
  return call;
}

}  // namespace workstream::tasks
