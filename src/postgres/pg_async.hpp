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

// Whether a statement may share a connection with statements of the same
// loop still in flight (libpq's pipeline mode: the statements sent in one
// turn of the loop go out in one write and are answered in one). Reads
// share. A write takes a connection of its own, so that commits wait for
// the disk side by side, not one after another.
enum class Sharing { Alone, Pipelined };

// Runs a prepared statement with text parameters without blocking: sent
// with libpq's asynchronous API on an idle connection of `pool` (or, when
// Pipelined, on this loop's shared one), its answer awaited on the calling
// thread's event loop (core/event_loop.hpp), where `done` is called once.
// Each statement is its own transaction. One that fails fails alone, but
// the statements that went out with it after it are answered Unavailable:
// a read may then be tried again, as after a broken connection. The
// answers of the last statements on a connection go out after it went back
// to the pool. Returns false, with nothing started and `done` untouched,
// when the caller runs no loop or no connection is idle: the caller goes the
// blocking way, which waits for a connection or makes one. A loop that
// stops first, or a connection that breaks, answers Unavailable every
// statement in flight on it.
bool tryExecPreparedOnLoop(Pool& pool, const char* statement, AsyncParams params, AsyncDone& done,
                           Sharing sharing);

}  // namespace workstream::pg
