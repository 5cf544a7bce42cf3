#pragma once

#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "postgres/pg_connection.hpp"
#include "postgres/pg_pool.hpp"

namespace workstream::pg {

// What a statement run without blocking came to: its result, or the
// exception execPrepared would have thrown (Unavailable, TimedOut, PgError).
using AsyncDone = std::function<void(std::optional<PgResult>, std::exception_ptr)>;

// A statement's text parameters; nullopt is SQL NULL.
using AsyncParams = std::vector<std::optional<std::string>>;

// Runs a prepared statement with text parameters on an idle connection of
// `pool` without blocking: sent now with libpq's asynchronous API, its
// answer awaited on the calling thread's event loop (core/event_loop.hpp),
// where `done` is called once, after the connection went back to the pool.
// Returns false, with nothing started and `done` untouched, when the caller
// runs no loop or no connection is idle: the caller goes the blocking way,
// which waits for a connection or makes one. A loop that stops first
// answers Unavailable.
bool tryExecPreparedOnLoop(Pool& pool, const char* statement, AsyncParams params, AsyncDone& done);

}  // namespace workstream::pg
