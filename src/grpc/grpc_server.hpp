#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "workstream/core/config.hpp"

namespace grpc {
class Service;
}

namespace workstream::rpc {

struct GrpcServerOptions {
  HostPort address;
  // Names the server's resource quota.
  std::string name;
  // The most threads the server runs synchronous calls on.
  int maxThreads = 64;
  // One spare poller, so a call arriving while another starts finds a thread.
  int minPollers = 2;
};

// A gRPC server with reflection and the standard health service:
// the server as a whole ("") and each of `healthNames` are NOT_SERVING until
// setServing(true), and again once stop() begins.
class GrpcServer {
 public:
  // Serves `services` (which must outlive it); throws InfrastructureError
  // when it cannot listen.
  GrpcServer(const GrpcServerOptions& options, const std::vector<grpc::Service*>& services,
             std::vector<std::string> healthNames);
  ~GrpcServer();
  GrpcServer(const GrpcServer&) = delete;
  GrpcServer& operator=(const GrpcServer&) = delete;

  // The address listened on, its port resolved.
  HostPort bound() const;
  void setServing(bool serving);
  // Health answers NOT_SERVING from now on; calls in flight may finish until
  // `deadline`, then are cancelled. Returns once the server has stopped.
  void stop(std::chrono::steady_clock::time_point deadline);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace workstream::rpc
