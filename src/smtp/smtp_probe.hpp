#pragma once

// Readiness probe of the mail server: libcurl connects and runs the SMTP
// greeting, blocking for at most `timeout`; it is called from one thread at a
// time. Errors never carry a password.

#include <chrono>
#include <functional>
#include <string>

#include "workstream/core/readiness.hpp"

namespace workstream::probes {

using std::chrono::milliseconds;
using Probe = std::function<CheckResult()>;

Probe smtp(const std::string& url, milliseconds timeout);

}  // namespace workstream::probes
