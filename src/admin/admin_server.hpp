#pragma once

#include <memory>

#include "admin/admin_routes.hpp"
#include "workstream/core/config.hpp"

namespace workstream::admin {

// The admin listener: /health, /ready and /metrics answered on its one I/O
// thread; the extensions, which may block, on a worker pool of their own,
// where whatever one throws is a 500 (callExtension).
class AdminServer {
 public:
  // `extensions` must outlive the server.
  AdminServer(AdminState state, const AdminExtensions& extensions, Logger log, int workers = 2);
  ~AdminServer();
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // Binds and starts serving; returns the bound address. Throws when it
  // cannot bind.
  HostPort start(const HostPort& address);
  // Stops accepting, waits for the extensions still running, ends the
  // thread. The port is released when the server is destroyed.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace workstream::admin
