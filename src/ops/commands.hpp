#pragma once

// Admin subcommands that read the stores of running roles. Each returns the
// exit code: 0 success, 1 a store unreachable (named) or an unknown task,
// 2 bad usage.

#include <string>

#include "workstream/core/config.hpp"

namespace workstream::ops {

// Pending events, the oldest one's age, those published in the last minute,
// and which session holds the relay's lock, in the URL's schema.
int outboxStatusCommand(const Config& config, bool json);

// The timeline of one task across every hop (see timeline.hpp).
int traceCommand(const Config& config, const std::string& taskId, bool json);

}  // namespace workstream::ops
