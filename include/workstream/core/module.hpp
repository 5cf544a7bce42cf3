#pragma once

#include <chrono>

namespace workstream {

// A running module of a role. Constructing it starts it; stop() drains it:
// no new work is accepted, work in flight finishes within `deadline`.
class Module {
 public:
  virtual ~Module() = default;
  virtual void stop(std::chrono::steady_clock::time_point deadline) = 0;
};

}  // namespace workstream
