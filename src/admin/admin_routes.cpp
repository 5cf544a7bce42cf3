#include "admin/admin_routes.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace workstream::admin {

std::string healthBody(const std::string& service, const std::string& version) {
  return boost::json::serialize(
      boost::json::object{{"status", "healthy"}, {"service", service}, {"version", version}});
}

std::string readinessBody(const ReadinessReport& report) {
  boost::json::object checks;
  for (const auto& [name, result] : report.checks) {
    boost::json::object check{{"status", result.ok ? "up" : "down"}};
    if (!result.ok) check["error"] = result.error;
    checks[name] = std::move(check);
  }
  const char* status = report.ready ? "ready" : (report.draining ? "draining" : "not_ready");
  return boost::json::serialize(boost::json::object{{"status", status}, {"checks", checks}});
}

http::Response callExtension(const AdminExtensions::Handler& handler, const http::Request& request,
                             const Logger& log) {
  try {
    return handler(request);
  } catch (const std::exception& e) {
    log.error("admin extension failed", {{"path", request.path()}, {"error", e.what()}});
  } catch (...) {
    log.error("admin extension failed", {{"path", request.path()}, {"error", "unknown"}});
  }
  return http::errorResponse(500, "INTERNAL", "internal error");
}

http::Response handleAdmin(const AdminState& state, const http::Request& request) {
  const auto path = request.path();
  const bool known = path == "/health" || path == "/ready" || path == "/metrics";
  if (!known) return http::errorResponse(404, "NOT_FOUND", "no such endpoint");
  if (request.method != "GET" && request.method != "HEAD") {
    auto res = http::errorResponse(405, "METHOD_NOT_ALLOWED", "use GET");
    res.headers.emplace_back("Allow", "GET, HEAD");
    return res;
  }
  if (path == "/health") {
    return http::Response::json(200, healthBody(state.service, state.version));
  }
  if (path == "/ready") {
    const auto report = state.readiness.report();
    return http::Response::json(report.ready ? 200 : 503, readinessBody(report));
  }
  return http::Response::text(200, state.metrics.render(), "text/plain; version=0.0.4");
}

}  // namespace workstream::admin
