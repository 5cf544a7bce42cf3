#pragma once

#include <string>

#include "workstream/core/metrics.hpp"
#include "workstream/core/readiness.hpp"
#include "workstream/http/message.hpp"

namespace workstream::admin {

// What the admin endpoints report on.
struct AdminState {
  std::string service;
  std::string version;
  const Readiness& readiness;
  const Metrics& metrics;
};

// GET /health, /ready and /metrics. /health answers 200 while the process
// lives (liveness); /ready answers 503 with the failing checks.
http::Response handleAdmin(const AdminState& state, const http::Request& request);

// The bodies, apart from the routing, for tests and for `workstream health`.
std::string healthBody(const std::string& service, const std::string& version);
std::string readinessBody(const ReadinessReport& report);

}  // namespace workstream::admin
