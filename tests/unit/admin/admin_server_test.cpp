#include <atomic>
#include <catch2/catch.hpp>
#include <future>
#include <stdexcept>
#include <thread>

#include "admin/admin_server.hpp"
#include "fakes/quiet_logger.hpp"
#include "unit/http/raw_http.hpp"

using namespace workstream;
using namespace std::chrono_literals;

namespace {

struct AdminFixture {
  Readiness readiness{1000ms};
  Metrics metrics;
  admin::AdminExtensions extensions;
  admin::AdminState state() { return {"workstream-test", "1.2.3", readiness, metrics}; }
};

}  // namespace

TEST_CASE("admin server: a blocked extension does not hold up /health") {
  AdminFixture f;
  std::promise<void> release;
  auto released = release.get_future().share();
  f.extensions.add("/debug/slow", [released](const http::Request&) {
    released.wait();
    return http::Response::text(200, "finally");
  });
  admin::AdminServer server(f.state(), f.extensions, fakes::quietLogger("test"));
  const auto bound = server.start({"127.0.0.1", 0});

  auto slow =
      std::async(std::launch::async, [&] { return testing::rawGet(bound.port, "/debug/slow"); });
  CHECK(slow.wait_for(100ms) == std::future_status::timeout);
  const auto health = testing::rawGet(bound.port, "/health");
  REQUIRE(health);
  CHECK(health->status == 200);
  CHECK(health->text.find("workstream-test") != std::string::npos);

  release.set_value();
  const auto answered = slow.get();
  REQUIRE(answered);
  CHECK(answered->status == 200);
  CHECK(answered->text.ends_with("finally"));
  server.stop();
}

TEST_CASE("admin server: an extension that throws is a 500 and serving goes on") {
  AdminFixture f;
  f.extensions.add("/debug/broken",
                   [](const http::Request&) -> http::Response { throw std::logic_error("bug"); });
  admin::AdminServer server(f.state(), f.extensions, fakes::quietLogger("test"));
  const auto bound = server.start({"127.0.0.1", 0});

  const auto broken = testing::rawGet(bound.port, "/debug/broken");
  REQUIRE(broken);
  CHECK(broken->status == 500);
  const auto ready = testing::rawGet(bound.port, "/ready");
  REQUIRE(ready);
  CHECK(ready->status == 503);  // readiness never ran a round
  const auto unknown = testing::rawGet(bound.port, "/nowhere");
  REQUIRE(unknown);
  CHECK(unknown->status == 404);
}

TEST_CASE("admin server: stop waits for the extensions running, then the port is released") {
  AdminFixture f;
  std::atomic<bool> finished{false};
  f.extensions.add("/debug/slow", [&](const http::Request&) {
    std::this_thread::sleep_for(200ms);
    finished = true;
    return http::Response::text(200, "done");
  });
  auto server =
      std::make_unique<admin::AdminServer>(f.state(), f.extensions, fakes::quietLogger("test"));
  const auto bound = server->start({"127.0.0.1", 0});
  auto slow =
      std::async(std::launch::async, [&] { return testing::rawGet(bound.port, "/debug/slow"); });
  std::this_thread::sleep_for(50ms);  // the request reaches a worker
  server->stop();
  CHECK(finished);
  server.reset();
  slow.get();
  CHECK_FALSE(testing::rawGet(bound.port, "/health"));
}
