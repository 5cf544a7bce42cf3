#include "http/threaded_server.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <thread>
#include <vector>

#include "workstream/core/event_loop.hpp"

namespace workstream::http {

namespace asio = boost::asio;

// One io_context per thread: a connection lives on one loop, and what its
// handler waits for (a database read, say) can wait on that loop too.
struct ThreadedServer::Impl {
  using Guard = asio::executor_work_guard<asio::io_context::executor_type>;

  Impl(Handler handler, ServerLimits limits, Logger log, Metrics* metrics)
      : server(addLoop(), std::move(handler), limits, std::move(log), metrics) {}

  asio::io_context& addLoop() {
    loops.push_back(std::make_unique<asio::io_context>(1));
    guards.emplace_back(loops.back()->get_executor());
    return *loops.back();
  }

  std::vector<std::unique_ptr<asio::io_context>> loops;
  std::vector<Guard> guards;  // a loop with no connection yet keeps running
  Server server;
  std::vector<std::thread> threads;
};

ThreadedServer::ThreadedServer(Handler handler, ServerLimits limits, Logger log, Metrics* metrics)
    : impl_(std::make_unique<Impl>(std::move(handler), limits, std::move(log), metrics)) {}

ThreadedServer::~ThreadedServer() { stop(); }

HostPort ThreadedServer::start(const HostPort& address, int threads) {
  while (static_cast<int>(impl_->loops.size()) < threads) impl_->addLoop();
  std::vector<asio::io_context*> loops;
  for (auto& loop : impl_->loops) loops.push_back(loop.get());
  impl_->server.spreadOver(loops);
  const auto bound = impl_->server.listen(address);
  for (auto* loop : loops) {
    impl_->threads.emplace_back([loop] { EventLoop::run(*loop); });
  }
  return bound;
}

void ThreadedServer::stopAccepting() { impl_->server.stop(); }

bool ThreadedServer::waitIdle(std::chrono::steady_clock::time_point deadline) {
  return impl_->server.waitIdle(deadline);
}

void ThreadedServer::stop() {
  // What waits on a loop is cancelled and its handlers run, then it stops.
  for (auto& loop : impl_->loops) EventLoop::stop(*loop);
  for (auto& thread : impl_->threads) {
    if (thread.joinable()) thread.join();
  }
}

}  // namespace workstream::http
