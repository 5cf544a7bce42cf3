#pragma once

#include "workstream/core/log.hpp"

namespace workstream::mongo {

// libmongoc logs to stderr in its own format; while this lives, its warnings
// and errors go to `log` instead, its chatter nowhere. One at a time: the
// handler is process-wide.
class MongocLogRoute {
 public:
  explicit MongocLogRoute(const Logger& log);
  ~MongocLogRoute();
  MongocLogRoute(const MongocLogRoute&) = delete;
  MongocLogRoute& operator=(const MongocLogRoute&) = delete;

 private:
  Logger log_;
};

}  // namespace workstream::mongo
