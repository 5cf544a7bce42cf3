#pragma once

// Readiness probes of the servers the roles depend on. Each opens a
// connection, asks the server something trivial, and closes it; each blocks
// for at most `timeout`. Errors never carry a password.

#include <chrono>
#include <string>

#include "workstream/core/config.hpp"
#include "workstream/core/readiness.hpp"

namespace workstream::probes {

using std::chrono::milliseconds;

CheckResult postgres(const std::string& url, milliseconds timeout);
CheckResult redis(const std::string& url, milliseconds timeout);
CheckResult rabbitmq(const std::string& url, milliseconds timeout);
CheckResult mongo(const std::string& url, milliseconds timeout);
CheckResult smtp(const std::string& url, milliseconds timeout);
// Only that something accepts TCP connections at the address.
CheckResult tcp(const HostPort& address, milliseconds timeout);

}  // namespace workstream::probes
