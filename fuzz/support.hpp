#pragma once

// What every fuzz target shares: a logger that writes nowhere, and a way to
// stop on a broken invariant that libFuzzer reports with the input.

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "workstream/core/log.hpp"

namespace workstream::fuzz {

inline Logger quietLogger() {
  static auto sink = std::make_shared<LogSink>(std::fopen("/dev/null", "w"), LogLevel::error);
  return Logger(sink, "fuzz");
}

// A broken invariant: abort, so libFuzzer saves the input as a crash.
[[noreturn]] inline void fail(std::string_view what) {
  std::fprintf(stderr, "fuzz invariant broken: %.*s\n", static_cast<int>(what.size()), what.data());
  std::abort();
}

inline void check(bool ok, std::string_view what) {
  if (!ok) fail(what);
}

}  // namespace workstream::fuzz
