#pragma once

#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>

namespace workstream::testing {

// A local server's setting from the environment; the test fails, saying
// so, when it is unset.
inline std::string serverEnv(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0')
    FAIL(std::string(name) + " is not set: run through scripts/test.sh");
  return value;
}

}  // namespace workstream::testing
