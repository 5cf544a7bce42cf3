#pragma once

#include <cstdio>
#include <memory>
#include <string>

#include "workstream/core/log.hpp"

namespace workstream::fakes {

// A logger whose lines go nowhere: for tests where failures are logged on
// purpose and would only clutter the output.
inline Logger quietLogger(std::string service) {
  static std::FILE* devNull = std::fopen("/dev/null", "w");
  return Logger(std::make_shared<LogSink>(devNull, LogLevel::error), std::move(service));
}

}  // namespace workstream::fakes
