#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "workstream/core/log.hpp"
#include "workstream/core/metrics.hpp"
#include "workstream/core/readiness.hpp"
#include "workstream/http/message.hpp"

namespace workstream::admin {

// Endpoints modules add to the admin listener (say, a debug API), by path
// prefix. Their handlers may block: they run on worker threads.
class AdminExtensions {
 public:
  using Handler = std::function<http::Response(const http::Request&)>;
  void add(std::string prefix, Handler handler) {
    routes_.emplace_back(std::move(prefix), std::move(handler));
  }
  const Handler* find(std::string_view path) const {
    for (const auto& [prefix, handler] : routes_) {
      if (path.starts_with(prefix)) return &handler;
    }
    return nullptr;
  }

 private:
  std::vector<std::pair<std::string, Handler>> routes_;
};

// Runs an extension's handler. Whatever it lets out (a bug, a driver error
// it did not expect) is a 500 and an error log line, never the end of the
// process: the handler runs on a worker thread, where an exception would
// call std::terminate.
http::Response callExtension(const AdminExtensions::Handler& handler, const http::Request& request,
                             const Logger& log);

// What the admin endpoints report on.
struct AdminState {
  std::string service;
  std::string version;
  const Readiness& readiness;
  const Metrics& metrics;
};

// GET /health, /ready and /metrics. /health answers 200 while the process
// lives (liveness); /ready answers 503 with the failing checks.
http::Response handleAdmin(const AdminState& state, const http::Request& request);

// The bodies, apart from the routing, for tests and for `workstream health`.
std::string healthBody(const std::string& service, const std::string& version);
std::string readinessBody(const ReadinessReport& report);

}  // namespace workstream::admin
