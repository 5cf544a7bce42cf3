#pragma once

#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "postgres/pg_connection.hpp"
#include "postgres/pg_pool.hpp"

namespace workstream::pg {

// What a statement run without blocking came to: its result, or the
// exception execPrepared would have thrown (Unavailable, TimedOut, PgError).
using AsyncDone = std::function<void(std::optional<PgResult>, std::exception_ptr)>;

// Runs prepared statements on a pool's idle connections without blocking
// the caller: one thread of its own waits for every answer at once (libpq's
// asynchronous API on an event loop), so a read costs no thread of its own
// and no wake-up of one. A connection is lent for one statement and goes
// back to the pool before its caller hears the answer.
class AsyncReader {
 public:
  explicit AsyncReader(Pool& pool);
  // Answers what is still in flight with Unavailable, then stops the thread.
  ~AsyncReader();
  AsyncReader(const AsyncReader&) = delete;
  AsyncReader& operator=(const AsyncReader&) = delete;

  // Starts `statement` with text parameters on an idle connection and
  // returns true; `done` is called once, on the reader's thread. False, with
  // nothing started and `done` untouched, when no connection is idle: the
  // caller goes the blocking way, which waits for one or makes one.
  bool tryExecPrepared(const char* statement, std::vector<std::string> params, AsyncDone& done);

 private:
  struct Impl;
  Pool& pool_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace workstream::pg
