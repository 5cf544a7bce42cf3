#pragma once

// Infrastructure failures: the one small exception tree. Expected outcomes
// (not found, illegal transition, invalid input) are values (Result), never
// these. A caller's bug (an argument no input can produce: histogram bounds
// out of order, a constant that is not a UUID) is a std::logic_error, and
// nothing catches it but the last resort at each edge.

#include <stdexcept>

namespace workstream {

class InfrastructureError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A server we depend on is unreachable or the connection broke; retrying
// later may succeed.
class Unavailable : public InfrastructureError {
 public:
  using InfrastructureError::InfrastructureError;
};

// The operation ran out of time (a statement timeout or a deadline).
class TimedOut : public InfrastructureError {
 public:
  using InfrastructureError::InfrastructureError;
};

}  // namespace workstream
