#include "postgres/pg_async.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <thread>
#include <unordered_set>

namespace workstream::pg {
namespace {

namespace asio = boost::asio;
using Descriptor = asio::posix::stream_descriptor;

// One statement in flight, touched only on the reader's thread. The
// descriptor watches libpq's socket but never owns it: it is released, not
// closed.
struct InFlight : std::enable_shared_from_this<InFlight> {
  InFlight(asio::io_context& io, Pool::Lease l, AsyncDone d,
           std::unordered_set<std::shared_ptr<InFlight>>& all)
      : lease(std::move(l)), socket(io), done(std::move(d)), inFlight(all) {}

  PGconn* conn() const { return lease->get(); }

  // Gives the connection back (blocking again, as the pool's other users
  // expect; one left mid-statement is dropped by the pool), then answers.
  void finish(std::optional<PgResult> result, std::exception_ptr error) {
    if (socket.is_open()) socket.release();
    PQsetnonblocking(conn(), 0);
    lease.reset();
    auto answer = std::move(done);
    auto self = shared_from_this();
    inFlight.erase(self);
    answer(std::move(result), error);
  }

  void fail(const std::string& why) {
    finish(std::nullopt, std::make_exception_ptr(Unavailable("PostgreSQL read failed: " + why +
                                                             ": " + lastError(conn()))));
  }

  // On the reader's thread: the descriptor is watched and waited on in one
  // go, so no readiness can be reported before a wait is queued for it.
  void start(const char* statement, const std::vector<std::string>& params) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) values.push_back(p.c_str());
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
  std::unordered_set<std::shared_ptr<InFlight>>& inFlight;
  std::unique_ptr<PGresult, decltype(&PQclear)> first{nullptr, PQclear};
};

}  // namespace

struct AsyncReader::Impl {
  Impl() : work(asio::make_work_guard(io)), thread([this] { io.run(); }) {}

  asio::io_context io{1};
  asio::executor_work_guard<asio::io_context::executor_type> work;
  std::unordered_set<std::shared_ptr<InFlight>> inFlight;  // on the reader's thread only
  std::thread thread;
};

AsyncReader::AsyncReader(Pool& pool) : pool_(pool), impl_(std::make_unique<Impl>()) {}

AsyncReader::~AsyncReader() {
  // Every wait is cancelled on the reader's thread, so each handler runs
  // (and answers) before the loop runs out of work and the thread ends.
  asio::post(impl_->io, [impl = impl_.get()] {
    for (const auto& call : impl->inFlight) call->socket.cancel();
    impl->work.reset();
  });
  impl_->thread.join();
}

bool AsyncReader::tryExecPrepared(const char* statement, std::vector<std::string> params,
                                  AsyncDone& done) {
  auto lease = pool_.tryAcquire();
  if (!lease) return false;
  asio::post(impl_->io, [impl = impl_.get(), lease = std::move(*lease), statement,
                         params = std::move(params), done = std::move(done)]() mutable {
    auto call =
        std::make_shared<InFlight>(impl->io, std::move(lease), std::move(done), impl->inFlight);
    impl->inFlight.insert(call);
    call->start(statement, params);
  });
  return true;
}

}  // namespace workstream::pg
