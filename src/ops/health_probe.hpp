#pragma once

#include <chrono>
#include <string>

#include "workstream/core/config.hpp"

namespace workstream::admin {

// What a running process's admin listener said to GET /health or /ready.
struct ProbeAnswer {
  std::string url;
  // Empty when the listener answered; else why not (refused, timed out).
  std::string error;
  long status = 0;
  std::string body;
  // 200 with {"status":"healthy"} (or "ready" for /ready).
  bool healthy = false;
};

// Asks the admin listener at `adminAddr` (a wildcard host is reached
// through loopback) for /ready when `ready`, else /health.
ProbeAnswer probeAdmin(const HostPort& adminAddr, std::chrono::milliseconds timeout, bool ready);

}  // namespace workstream::admin
