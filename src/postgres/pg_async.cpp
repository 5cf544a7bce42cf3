#include "postgres/pg_async.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <deque>
#include <map>
#include <memory>

#include "workstream/core/event_loop.hpp"

namespace workstream::pg {
namespace {

namespace asio = boost::asio;
using Descriptor = asio::posix::stream_descriptor;
using ResultPtr = std::unique_ptr<PGresult, decltype(&PQclear)>;

// Most statements in flight on one shared connection; past it a read takes
// an idle connection of its own, or goes the blocking way.
constexpr std::size_t kMostPipelined = 32;

// A connection on loan to one loop, in libpq's pipeline mode: each statement
// goes out with a sync point of its own, so it is its own implicit
// transaction and its error is its own, and the answers come back in the
// order sent. Touched only on its loop's thread. The descriptor watches
// libpq's socket but never owns it: it is released, not closed.
class Pipeline : public std::enable_shared_from_this<Pipeline> {
 public:
  Pipeline(asio::io_context& io, Pool::Lease lease) : lease_(std::move(lease)), socket_(io) {}

  PGconn* conn() const { return lease_->get(); }

  bool accepts() const { return lease_ && waiting_.size() < kMostPipelined; }

  // Sends the statement; `done` is called once, with its answer or failure.
  void send(const char* statement, const AsyncParams& params, AsyncDone done) {
    waiting_.push_back(Waiting{std::move(done)});
    if (waiting_.size() == 1 && !open()) return;
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    if (PQsendQueryPrepared(conn(), statement, static_cast<int>(values.size()), values.data(),
                            nullptr, nullptr, 0) == 0 ||
        PQpipelineSync(conn()) == 0) {
      return breakDown("cannot send");
    }
    flush();
    awaitAnswers();
  }

 private:
  struct Waiting {
    AsyncDone done;
    ResultPtr first{nullptr, PQclear};
  };
  struct Answer {
    AsyncDone done;
    std::optional<PgResult> result;
    std::exception_ptr error;
  };

  bool open() {
    cancelKey_ = EventLoop::onLeave([weak = weak_from_this()] {
      if (auto self = weak.lock()) self->socket_.cancel();
    });
    if (PQsetnonblocking(conn(), 1) != 0 || PQenterPipelineMode(conn()) == 0) {
      breakDown("cannot enter pipeline mode");
      return false;
    }
    boost::system::error_code ec;
    socket_.assign(PQsocket(conn()), ec);
    if (ec) {
      breakDown("cannot watch the socket (" + ec.message() + ")");
      return false;
    }
    return true;
  }

  // Sends what libpq still holds, waiting for room when the socket is full.
  void flush() {
    if (writing_ || !lease_) return;
    const int left = PQflush(conn());
    if (left < 0) return breakDown("cannot send");
    if (left == 0) return;
    writing_ = true;
    socket_.async_wait(Descriptor::wait_write, [self = shared_from_this()](auto ec) {
      self->writing_ = false;
      if (ec) return self->breakDown(ec.message());
      self->flush();
    });
  }

  void awaitAnswers() {
    if (reading_ || !lease_) return;
    reading_ = true;
    socket_.async_wait(Descriptor::wait_read, [self = shared_from_this()](auto ec) {
      self->reading_ = false;
      if (ec) return self->breakDown(ec.message());
      if (PQconsumeInput(self->conn()) == 0) return self->breakDown("connection lost");
      self->takeAnswers();
    });
  }

  // Takes every result libpq holds. A statement's first result is its
  // answer; its sync point says it has no more.
  void takeAnswers() {
    std::vector<Answer> answers;
    bool ended = false;  // the last result taken ended a statement's results
    while (!waiting_.empty() && PQisBusy(conn()) == 0) {
      ResultPtr next(PQgetResult(conn()), PQclear);
      if (!next) {
        // The end of a statement's results; its sync point follows.
        if (std::exchange(ended, true)) return breakDown("no sync point");
        continue;
      }
      ended = false;
      auto& front = waiting_.front();
      if (PQresultStatus(next.get()) != PGRES_PIPELINE_SYNC) {
        if (!front.first) front.first = std::move(next);
        continue;
      }
      Answer answer{std::move(front.done), std::nullopt, nullptr};
      try {
        if (!front.first) throw Unavailable("PostgreSQL read failed: no result");
        answer.result = checkResult(conn(), front.first.release());
      } catch (...) {
        answer.error = std::current_exception();
      }
      answers.push_back(std::move(answer));
      waiting_.pop_front();
    }
    if (waiting_.empty()) {
      giveBack();
    } else {
      flush();
      awaitAnswers();
    }
    // Answered last: a caller that sends again finds this pipeline settled.
    for (auto& a : answers) a.done(std::move(a.result), a.error);
  }

  // Every statement still waiting fails: the connection broke or its loop
  // stopped. The pool drops a connection left mid-pipeline.
  void breakDown(const std::string& why) {
    if (!lease_) return;
    const auto error = std::make_exception_ptr(
        Unavailable("PostgreSQL read failed: " + why + ": " + lastError(conn())));
    auto failed = std::exchange(waiting_, {});
    giveBack();
    for (auto& w : failed) w.done(std::nullopt, error);
  }

  // Gives the connection back, blocking and out of pipeline mode again, as
  // the pool's other users expect.
  void giveBack() {
    EventLoop::forget(cancelKey_);
    if (socket_.is_open()) socket_.release();
    PQexitPipelineMode(conn());
    PQsetnonblocking(conn(), 0);
    lease_.reset();
  }

  std::optional<Pool::Lease> lease_;
  Descriptor socket_;
  std::deque<Waiting> waiting_;
  std::uint64_t cancelKey_ = 0;
  bool reading_ = false;
  bool writing_ = false;
};

// This thread's connection shared by reads, per pool.
std::weak_ptr<Pipeline>& sharedOnThisThread(Pool& pool) {
  thread_local std::map<Pool*, std::weak_ptr<Pipeline>> shared;
  return shared[&pool];
}

}  // namespace

bool tryExecPreparedOnLoop(Pool& pool, const char* statement, AsyncParams params, AsyncDone& done,
                           Sharing sharing) {
  auto* loop = EventLoop::current();
  if (loop == nullptr) return false;
  if (sharing == Sharing::Pipelined) {
    if (auto open = sharedOnThisThread(pool).lock(); open && open->accepts()) {
      open->send(statement, params, std::move(done));
      return true;
    }
  }
  auto lease = pool.tryAcquire();
  if (!lease) return false;
  auto pipeline = std::make_shared<Pipeline>(*loop, std::move(*lease));
  if (sharing == Sharing::Pipelined) sharedOnThisThread(pool) = pipeline;
  pipeline->send(statement, params, std::move(done));
  return true;
}

}  // namespace workstream::pg
