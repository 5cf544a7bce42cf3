#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include "admin/admin_routes.hpp"

using namespace workstream;

namespace {

http::Request get(std::string target, std::string method = "GET") {
  return {std::move(method), std::move(target), {}, {}};
}

}  // namespace

TEST_CASE("admin: /health answers the seed's body") {
  Readiness readiness(std::chrono::seconds(1));
  Metrics metrics;
  admin::AdminState state{"workstream-tasks", "1.2.3", readiness, metrics};
  auto res = admin::handleAdmin(state, get("/health"));
  CHECK(res.status == 200);
  const auto body = boost::json::parse(res.body).as_object();
  CHECK(body.at("status") == "healthy");
  CHECK(body.at("service") == "workstream-tasks");
  CHECK(body.at("version") == "1.2.3");
  CHECK(body.size() == 3);
}

TEST_CASE("admin: /ready is 503 with the failing checks until ready") {
  Readiness readiness(std::chrono::seconds(1));
  Metrics metrics;
  admin::AdminState state{"workstream", "1.2.3", readiness, metrics};
  CHECK(admin::handleAdmin(state, get("/ready")).status == 503);

  ReadinessReport report;
  report.checks = {{"postgres", {true, {}}}, {"redis", {false, "connection refused"}}};
  const auto body = boost::json::parse(admin::readinessBody(report)).as_object();
  CHECK(body.at("status") == "not_ready");
  CHECK(body.at("checks").at("postgres").at("status") == "up");
  CHECK(body.at("checks").at("redis").at("status") == "down");
  CHECK(body.at("checks").at("redis").at("error") == "connection refused");
}

TEST_CASE("admin: /metrics is Prometheus text") {
  Readiness readiness(std::chrono::seconds(1));
  Metrics metrics;
  metrics.gauge("workstream_build_info", "Build", R"(version="1.2.3")").set(1);
  admin::AdminState state{"workstream", "1.2.3", readiness, metrics};
  auto res = admin::handleAdmin(state, get("/metrics"));
  CHECK(res.status == 200);
  CHECK_THAT(res.body, Catch::Contains("workstream_build_info{version=\"1.2.3\"} 1"));
}

TEST_CASE("admin: unknown paths are 404 and other methods 405 with Allow") {
  Readiness readiness(std::chrono::seconds(1));
  Metrics metrics;
  admin::AdminState state{"workstream", "1.2.3", readiness, metrics};
  auto missing = admin::handleAdmin(state, get("/nope"));
  CHECK(missing.status == 404);
  CHECK(boost::json::parse(missing.body).at("error").at("code") == "NOT_FOUND");
  auto wrong = admin::handleAdmin(state, get("/health", "POST"));
  CHECK(wrong.status == 405);
  CHECK(wrong.headers.back() == std::pair<std::string, std::string>{"Allow", "GET, HEAD"});
}
