#pragma once

// Readiness probes of the servers the roles depend on but do not check
// through an adapter of their own (tasks checks Postgres through its pool,
// notifications MongoDB and Redis through its stores). Each returned probe
// asks its server something trivial and blocks for at most `timeout`; it is
// called from one thread at a time. Errors never carry a password.

#include <chrono>
#include <functional>
#include <string>

#include "workstream/core/readiness.hpp"

namespace workstream::probes {

using std::chrono::milliseconds;
using Probe = std::function<CheckResult()>;

Probe redis(const std::string& url, milliseconds timeout);
Probe rabbitmq(const std::string& url, milliseconds timeout);
Probe smtp(const std::string& url, milliseconds timeout);

}  // namespace workstream::probes
