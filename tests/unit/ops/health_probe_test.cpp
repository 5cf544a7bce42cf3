#include <curl/curl.h>

#include <catch2/catch.hpp>

#include "admin/admin_server.hpp"
#include "fakes/quiet_logger.hpp"
#include "ops/health_probe.hpp"

using namespace workstream;
using namespace std::chrono_literals;

namespace {

struct RunningAdmin {
  RunningAdmin() { curl_global_init(CURL_GLOBAL_DEFAULT); }
  Readiness readiness{1000ms};
  Metrics metrics;
  admin::AdminExtensions extensions;
  admin::AdminServer server{
      {"workstream-test", "1.2.3", readiness, metrics}, extensions, fakes::quietLogger("test")};
};

}  // namespace

TEST_CASE("health probe: a live process is healthy, and not ready before its first round") {
  RunningAdmin admin;
  const auto bound = admin.server.start({"127.0.0.1", 0});

  const auto health = admin::probeAdmin(bound, 2s, false);
  CHECK(health.error.empty());
  CHECK(health.status == 200);
  CHECK(health.healthy);
  CHECK(health.url == "http://" + bound.str() + "/health");

  const auto ready = admin::probeAdmin(bound, 2s, true);
  CHECK(ready.error.empty());
  CHECK(ready.status == 503);
  CHECK_FALSE(ready.healthy);
  CHECK(ready.body.find("not_ready") != std::string::npos);
}

TEST_CASE("health probe: a wildcard address is reached through loopback") {
  RunningAdmin admin;
  const auto bound = admin.server.start({"0.0.0.0", 0});
  const auto health = admin::probeAdmin(bound, 2s, false);
  CHECK(health.url == "http://127.0.0.1:" + std::to_string(bound.port) + "/health");
  CHECK(health.healthy);
}

TEST_CASE("health probe: nothing listening is an error, not an answer") {
  HostPort gone;
  {
    RunningAdmin admin;
    gone = admin.server.start({"127.0.0.1", 0});
  }
  const auto answer = admin::probeAdmin(gone, 500ms, false);
  CHECK_FALSE(answer.error.empty());
  CHECK_FALSE(answer.healthy);
}
