#include "grpc/grpc_server.hpp"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/resource_quota.h>
#include <grpcpp/server_builder.h>

#include "grpc/health/v1/health.pb.h"
#include "workstream/core/errors.hpp"

namespace workstream::rpc {

struct GrpcServer::Impl {
  std::unique_ptr<grpc::Server> server;
  grpc::HealthCheckServiceInterface* health = nullptr;
  std::vector<std::string> healthNames;
  HostPort bound;
};

GrpcServer::GrpcServer(const GrpcServerOptions& options,
                       const std::vector<grpc::Service*>& services,
                       std::vector<std::string> healthNames)
    : impl_(std::make_unique<Impl>()) {
  impl_->healthNames = std::move(healthNames);
  grpc::EnableDefaultHealthCheckService(true);
  // Reflection (grpcurl without proto files) describes what the linked-in
  // descriptors hold; gRPC's own health service has none, so ours are used.
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  static_cast<void>(grpc::health::v1::HealthCheckRequest::descriptor());
  grpc::ResourceQuota quota(options.name);
  quota.SetMaxThreads(options.maxThreads);
  grpc::ServerBuilder builder;
  builder.SetResourceQuota(quota);
  // No channelz: Workstream does not serve it, and it counts every call.
  builder.AddChannelArgument(GRPC_ARG_ENABLE_CHANNELZ, 0);
  // The tasks service uses the callback API (its own bounded workers); the
  // synchronous pool below serves only what is left synchronous
  // (reflection). Its ThreadManager starts a thread when a call leaves
  // fewer than MIN_POLLERS threads polling and ends one that finishes while
  // MAX_POLLERS others poll: with the maximum at the quota, no thread ends
  // before shutdown and a steady load creates none.
  using Option = grpc::ServerBuilder::SyncServerOption;
  builder.SetSyncServerOption(Option::NUM_CQS, 1);
  builder.SetSyncServerOption(Option::MIN_POLLERS, options.minPollers);
  builder.SetSyncServerOption(Option::MAX_POLLERS, options.maxThreads);
  int boundPort = 0;
  builder.AddListeningPort(options.address.str(), grpc::InsecureServerCredentials(), &boundPort);
  for (auto* service : services) builder.RegisterService(service);
  impl_->server = builder.BuildAndStart();
  if (!impl_->server || boundPort == 0) {
    throw InfrastructureError("cannot listen for gRPC on " + options.address.str());
  }
  impl_->bound = options.address;
  impl_->bound.port = static_cast<std::uint16_t>(boundPort);
  impl_->health = impl_->server->GetHealthCheckService();
  setServing(false);
}

// A server not stopped shuts itself down as it is destroyed.
GrpcServer::~GrpcServer() = default;

HostPort GrpcServer::bound() const { return impl_->bound; }

void GrpcServer::setServing(bool serving) {
  impl_->health->SetServingStatus(serving);
  for (const auto& name : impl_->healthNames) impl_->health->SetServingStatus(name, serving);
}

void GrpcServer::stop(std::chrono::steady_clock::time_point deadline) {
  impl_->health->Shutdown();
  const auto remaining = deadline - std::chrono::steady_clock::now();
  impl_->server->Shutdown(std::chrono::system_clock::now() + remaining);
  impl_->server->Wait();
}

}  // namespace workstream::rpc
