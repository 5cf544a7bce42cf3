#pragma once

// Parsers for the kinds of value a setting holds. Each returns the value or
// why it is invalid, in words that completes "WORKSTREAM_X: <message>".

#include <chrono>
#include <initializer_list>
#include <string>
#include <string_view>

#include "workstream/core/config.hpp"
#include "workstream/core/result.hpp"

namespace workstream::config_values {

struct Invalid {
  std::string message;
};
template <class T>
using Parsed = Result<T, Invalid>;

// A URL whose scheme is one of `schemes` and which names a host.
Parsed<std::string> parseUrl(std::string_view text,
                             std::initializer_list<std::string_view> schemes);
// "host:port" or "[v6]:port"; port 0 asks the kernel for a free port.
Parsed<HostPort> parseHostPort(std::string_view text);
// "500ms", "10s", "2m" or "24h".
Parsed<std::chrono::milliseconds> parseDuration(std::string_view text);
// The largest whole unit: "24h", "2m", "10s", "500ms"; parseDuration reads it back.
std::string formatDuration(std::chrono::milliseconds duration);
Parsed<LogLevel> parseLogLevel(std::string_view text);
// A whole number in [min, max].
Parsed<int> parseInt(std::string_view text, int min, int max);
// "true" or "false".
Parsed<bool> parseBool(std::string_view text);

}  // namespace workstream::config_values
