#pragma once

// W3C Trace Context: the `traceparent` header that carries a trace from the
// REST request through gRPC metadata into event envelopes and mails.

#include <optional>
#include <string>
#include <string_view>

namespace workstream {

struct TraceParent {
  std::string traceId;  // 32 lowercase hex digits, not all zero
  std::string spanId;   // 16 lowercase hex digits, not all zero
  std::string flags = "01";
};

// Parses "00-<trace id>-<span id>-<flags>"; nullopt when malformed.
std::optional<TraceParent> parseTraceparent(std::string_view header);
std::string formatTraceparent(const TraceParent& parent);
// A fresh trace with a fresh span.
TraceParent newTraceParent();
// A fresh span in the same trace.
TraceParent childOf(const TraceParent& parent);

}  // namespace workstream
