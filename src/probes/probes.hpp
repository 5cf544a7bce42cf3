#pragma once

// Readiness probes of the servers the roles depend on. Each returned probe
// asks its server something trivial and blocks for at most `timeout`; it is
// called from one thread at a time. Errors never carry a password.

#include <chrono>
#include <functional>
#include <string>

#include "workstream/core/config.hpp"
#include "workstream/core/readiness.hpp"

namespace workstream::probes {

using std::chrono::milliseconds;
using Probe = std::function<CheckResult()>;

Probe postgres(const std::string& url, milliseconds timeout);
Probe redis(const std::string& url, milliseconds timeout);
Probe rabbitmq(const std::string& url, milliseconds timeout);
Probe mongo(const std::string& url, milliseconds timeout);
Probe smtp(const std::string& url, milliseconds timeout);
// Only that something accepts TCP connections at the address.
Probe tcp(const HostPort& address, milliseconds timeout);

}  // namespace workstream::probes
