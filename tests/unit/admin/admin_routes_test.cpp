#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <cstdio>
#include <stdexcept>

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

TEST_CASE("admin: an extension that throws answers 500 and the process goes on") {
  std::FILE* out = std::tmpfile();
  Logger log(std::make_shared<LogSink>(out, LogLevel::debug), "svc");
  http::Request request;
  request.method = "GET";
  request.target = "/debug/notifications";
  const auto throwsStd = [](const http::Request&) -> http::Response {
    throw std::runtime_error("mongoc: unexpected reply");
  };
  const auto throwsOther = [](const http::Request&) -> http::Response { throw 42; };
  CHECK(admin::callExtension(throwsStd, request, log).status == 500);
  CHECK(admin::callExtension(throwsOther, request, log).status == 500);
  const auto fine = [](const http::Request&) { return http::Response::json(200, "{}"); };
  CHECK(admin::callExtension(fine, request, log).status == 200);
  std::fclose(out);
}
