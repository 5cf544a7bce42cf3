#pragma once

// Readiness probe of the broker, for the roles that check it through no
// adapter of their own. The probe opens a connection and logs in, blocking
// for at most `timeout`; it is called from one thread at a time. Errors never
// carry a password.

#include <chrono>
#include <functional>
#include <string>

#include "workstream/core/readiness.hpp"

namespace workstream::probes {

using std::chrono::milliseconds;
using Probe = std::function<CheckResult()>;

Probe rabbitmq(const std::string& url, milliseconds timeout);

}  // namespace workstream::probes
