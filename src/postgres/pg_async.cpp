#include "postgres/pg_async.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
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

// A connection on loan to one loop, in libpq's pipeline mode: the
// statements sent in one turn of the loop go out together, closed by one
// sync point, and the answers come back in the order sent. Each statement is
// its own implicit transaction; one that fails aborts those after it up to
// the sync point, and they are answered Unavailable (a read is then tried
// again the blocking way). Touched only on its loop's thread. The
// descriptor watches libpq's socket but never owns it: it is released, not
// closed.
class Pipeline : public std::enable_shared_from_this<Pipeline> {
 public:
  Pipeline(asio::io_context& io, Pool::Lease lease) : lease_(std::move(lease)), socket_(io) {}
  ~Pipeline() {
    if (lease_) giveBack();
  }

  PGconn* conn() const { return lease_->get(); }

  bool accepts() const { return lease_ && statements_ < kMostPipelined; }

  // Sends the statement; `done` is called once, with its answer or failure.
  void send(const char* statement, const AsyncParams& params, AsyncDone done) {
    waiting_.push_back(Waiting{std::move(done)});
    ++statements_;
    if (!opened_ && !open()) return;
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    if (PQsendQueryPrepared(conn(), statement, static_cast<int>(values.size()), values.data(),
                            nullptr, nullptr, 0) == 0) {
      return breakDown("cannot send");
    }
    // The sync point goes out after the handlers the loop has ready, so the
    // statements they send travel with this one.
    if (!syncing_) {
      syncing_ = true;
      asio::post(socket_.get_executor(), [self = shared_from_this()] { self->sync(); });
    }
  }

 private:
  // A statement, or the sync point that closes those sent before it.
  struct Waiting {
    AsyncDone done;
    ResultPtr first{nullptr, PQclear};
    bool syncPoint = false;
  };
  struct Answer {
    AsyncDone done;
    std::optional<PgResult> result;
    std::exception_ptr error;
  };

  bool open() {
    opened_ = true;
    cancelKey_ = EventLoop::onLeave([weak = weak_from_this()] {
      if (auto self = weak.lock()) {
        self->leaving_ = true;  // for a sync point posted and still to run
        self->socket_.cancel();
      }
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

  void sync() {
    syncing_ = false;
    if (!lease_) return;  // broke down meanwhile
    if (leaving_) return breakDown("its event loop stopped");
    if (PQpipelineSync(conn()) == 0) return breakDown("cannot send");
    Waiting point;
    point.syncPoint = true;
    waiting_.push_back(std::move(point));
    flush();
    awaitAnswers();
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

  static Answer answerOf(PGconn* conn, Waiting& w) {
    Answer answer{std::move(w.done), std::nullopt, nullptr};
    try {
      if (!w.first) throw Unavailable("PostgreSQL read failed: no result");
      if (PQresultStatus(w.first.get()) == PGRES_PIPELINE_ABORTED) {
        throw Unavailable("PostgreSQL read failed: a statement sent before it failed");
      }
      answer.result = checkResult(conn, w.first.release());
    } catch (...) {
      answer.error = std::current_exception();
    }
    return answer;
  }

  // Takes every result libpq holds. A statement's first result is its
  // answer, taken when its results end; the answers of a group go out when
  // its sync point's result comes.
  void takeAnswers() {
    std::vector<Answer> answers;
    while (!waiting_.empty() && PQisBusy(conn()) == 0) {
      ResultPtr next(PQgetResult(conn()), PQclear);
      auto& front = waiting_.front();
      if (front.syncPoint) {
        if (!next || PQresultStatus(next.get()) != PGRES_PIPELINE_SYNC) {
          return breakDown("answers out of step with the statements");
        }
        // Turned into answers only now: a connection that broke under
        // them has said so by here, and its failures read Unavailable.
        for (auto& w : settled_) answers.push_back(answerOf(conn(), w));
        settled_.clear();
      } else if (next) {
        if (!front.first) front.first = std::move(next);
        continue;
      } else {
        settled_.push_back(std::move(front));
        --statements_;
      }
      waiting_.pop_front();
    }
    if (waiting_.empty() && !syncing_) {
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
    std::vector<Answer> settled;
    for (auto& w : std::exchange(settled_, {})) settled.push_back(answerOf(conn(), w));
    statements_ = 0;
    giveBack();
    for (auto& a : settled) a.done(std::move(a.result), a.error);
    for (auto& w : failed) {
      if (!w.syncPoint) w.done(std::nullopt, error);
    }
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
  std::vector<Waiting> settled_;  // statements with all their results, before their sync point
  std::size_t statements_ = 0;    // in waiting_
  std::uint64_t cancelKey_ = 0;
  bool opened_ = false;
  bool leaving_ = false;  // the loop stops
  bool syncing_ = false;  // a sync point is posted
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
