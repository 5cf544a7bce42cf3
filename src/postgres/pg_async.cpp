#include "postgres/pg_async.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <memory>

#include "workstream/core/event_loop.hpp"

namespace workstream::pg {
namespace {

namespace asio = boost::asio;
using Descriptor = asio::posix::stream_descriptor;

// One statement in flight, touched only on its loop's thread. The descriptor
// watches libpq's socket but never owns it: it is released, not closed.
struct InFlight : std::enable_shared_from_this<InFlight> {
  InFlight(asio::io_context& io, Pool::Lease l, AsyncDone d)
      : lease(std::move(l)), socket(io), done(std::move(d)) {}

  PGconn* conn() const { return lease->get(); }

  // Gives the connection back (blocking again, as the pool's other users
  // expect; one left mid-statement is dropped by the pool), then answers.
  void finish(std::optional<PgResult> result, std::exception_ptr error) {
    EventLoop::forget(cancelKey);
    if (socket.is_open()) socket.release();
    PQsetnonblocking(conn(), 0);
    lease.reset();
    auto answer = std::move(done);
    answer(std::move(result), error);
  }

  void fail(const std::string& why) {
    finish(std::nullopt, std::make_exception_ptr(Unavailable("PostgreSQL read failed: " + why +
                                                             ": " + lastError(conn()))));
  }

  // Sends the statement and waits for its answer. A wait is queued before
  // this handler returns, so before the loop can see the socket ready.
  void start(const char* statement, const AsyncParams& params) {
    cancelKey = EventLoop::onLeave([weak = weak_from_this()] {
      if (auto self = weak.lock()) self->socket.cancel();
    });
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    if (PQsetnonblocking(conn(), 1) != 0 ||
        PQsendQueryPrepared(conn(), statement, static_cast<int>(values.size()), values.data(),
                            nullptr, nullptr, 0) == 0) {
      return fail("cannot send");
    }
    boost::system::error_code ec;
    socket.assign(PQsocket(conn()), ec);
    if (ec) return fail("cannot watch the socket (" + ec.message() + ")");
    flush();
  }

  // Sends what libpq still holds, waiting for room when the socket is full.
  void flush() {
    const int left = PQflush(conn());
    if (left < 0) return fail("cannot send");
    if (left > 0) {
      socket.async_wait(Descriptor::wait_write, [self = shared_from_this()](auto ec) {
        if (ec) return self->fail(ec.message());
        self->flush();
      });
      return;
    }
    read();
  }

  // Takes the statement's results until libpq has no more; the first is
  // the answer.
  void read() {
    while (PQisBusy(conn()) == 0) {
      PGresult* next = PQgetResult(conn());
      if (next == nullptr) {
        if (!first) return fail("no result");
        try {
          auto result = checkResult(conn(), first.release());
          return finish(std::move(result), nullptr);
        } catch (...) {
          return finish(std::nullopt, std::current_exception());
        }
      }
      if (first) {
        PQclear(next);
      } else {
        first.reset(next);
      }
    }
    socket.async_wait(Descriptor::wait_read, [self = shared_from_this()](auto ec) {
      if (ec) return self->fail(ec.message());
      if (PQconsumeInput(self->conn()) == 0) return self->fail("connection lost");
      self->read();
    });
  }

  std::optional<Pool::Lease> lease;
  Descriptor socket;
  AsyncDone done;
  std::uint64_t cancelKey = 0;
  std::unique_ptr<PGresult, decltype(&PQclear)> first{nullptr, PQclear};
};

}  // namespace

bool tryExecPreparedOnLoop(Pool& pool, const char* statement, AsyncParams params, AsyncDone& done) {
  auto* loop = EventLoop::current();
  if (loop == nullptr) return false;
  auto lease = pool.tryAcquire();
  if (!lease) return false;
  auto call = std::make_shared<InFlight>(*loop, std::move(*lease), std::move(done));
  call->start(statement, params);
  return true;
}

}  // namespace workstream::pg
