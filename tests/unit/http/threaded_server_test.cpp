#include <atomic>
#include <catch2/catch.hpp>
#include <mutex>
#include <set>
#include <thread>

#include "fakes/quiet_logger.hpp"
#include "http/threaded_server.hpp"
#include "unit/http/raw_http.hpp"
#include "workstream/core/event_loop.hpp"

using namespace workstream;
using namespace std::chrono_literals;

TEST_CASE("threaded server: answers on its own threads until stopped and gone") {
  std::mutex mutex;
  std::set<std::thread::id> handlerThreads;
  auto server = std::make_unique<http::ThreadedServer>(
      [&](http::Request request, http::Respond respond) {
        {
          std::lock_guard lock(mutex);
          handlerThreads.insert(std::this_thread::get_id());
        }
        respond(http::Response::text(200, "seen " + std::string(request.path())));
      },
      http::ServerLimits{}, fakes::quietLogger("test"));
  const auto bound = server->start({"127.0.0.1", 0}, 2);
  REQUIRE(bound.port != 0);

  for (int i = 0; i < 4; ++i) {
    const auto response = testing::rawGet(bound.port, "/hello");
    REQUIRE(response);
    CHECK(response->status == 200);
    CHECK(response->text.ends_with("seen /hello"));
  }
  CHECK_FALSE(handlerThreads.contains(std::this_thread::get_id()));
  CHECK(handlerThreads.size() <= 2);

  server->stopAccepting();
  CHECK(server->waitIdle(std::chrono::steady_clock::now() + 2s));
  server->stop();
  server.reset();
  CHECK_FALSE(testing::rawGet(bound.port, "/hello"));
}

TEST_CASE(
    "threaded server: each thread runs a loop of its own, connections take them in turn, "
    "and stop cancels what waits on them") {
  std::mutex mutex;
  std::vector<boost::asio::io_context*> loops;
  std::set<std::thread::id> threads;
  std::atomic<int> cancelled{0};
  http::ThreadedServer server(
      [&](http::Request, http::Respond respond) {
        std::lock_guard lock(mutex);
        loops.push_back(EventLoop::current());
        threads.insert(std::this_thread::get_id());
        if (loops.size() == 1) EventLoop::onLeave([&] { ++cancelled; });
        respond(http::Response::text(200, "ok"));
      },
      {}, fakes::quietLogger("test"));
  const auto bound = server.start({"127.0.0.1", 0}, 2);
  for (int i = 0; i < 4; ++i) REQUIRE(testing::rawGet(bound.port, "/"));
  {
    std::lock_guard lock(mutex);
    REQUIRE(loops.size() == 4);
    for (std::size_t i = 0; i < loops.size(); ++i) {
      CHECK(loops[i] != nullptr);
      if (i > 0) CHECK(loops[i] != loops[i - 1]);  // one connection each, loops in turn
    }
    CHECK(loops[0] == loops[2]);
    CHECK(threads.size() == 2);
  }
  CHECK(EventLoop::current() == nullptr);  // the test's own thread runs none
  CHECK(cancelled == 0);
  server.stop();
  CHECK(cancelled == 1);
}

TEST_CASE("threaded server: a response sent later from another thread is written") {
  std::vector<std::thread> later;
  http::ThreadedServer server(
      [&](http::Request, http::Respond respond) {
        later.emplace_back([respond = std::move(respond)] {
          std::this_thread::sleep_for(20ms);
          respond(http::Response::text(202, "later"));
        });
      },
      {}, fakes::quietLogger("test"));
  const auto bound = server.start({"127.0.0.1", 0}, 1);
  const auto response = testing::rawGet(bound.port, "/");
  REQUIRE(response);
  CHECK(response->status == 202);
  server.stop();
  for (auto& t : later) t.join();
}

TEST_CASE("threaded server: an address it cannot bind throws") {
  http::ThreadedServer first(
      [](http::Request, http::Respond r) { r(http::Response::text(200, "")); }, {},
      fakes::quietLogger("test"));
  const auto bound = first.start({"127.0.0.1", 0}, 1);
  http::ThreadedServer second(
      [](http::Request, http::Respond r) { r(http::Response::text(200, "")); }, {},
      fakes::quietLogger("test"));
  CHECK_THROWS(second.start(bound, 1));
}
