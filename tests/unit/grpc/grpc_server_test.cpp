#include <grpcpp/create_channel.h>

#include <catch2/catch.hpp>

#include "grpc/grpc_server.hpp"
#include "grpc/health/v1/health.grpc.pb.h"
#include "workstream/core/errors.hpp"

using namespace workstream;
using namespace std::chrono_literals;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

namespace {

constexpr const char* kService = "workstream.test.v1.Service";

// The health status of `service` ("" for the server), or the call's error code.
std::variant<HealthCheckResponse::ServingStatus, grpc::StatusCode> health(
    const HostPort& address, const std::string& service) {
  auto stub = grpc::health::v1::Health::NewStub(
      grpc::CreateChannel(address.str(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + 2s);
  HealthCheckRequest request;
  request.set_service(service);
  HealthCheckResponse response;
  const auto status = stub->Check(&context, request, &response);
  if (!status.ok()) return status.error_code();
  return response.status();
}

}  // namespace

TEST_CASE("grpc server: health follows setServing for the server and each named service") {
  rpc::GrpcServer server({{"127.0.0.1", 0}, "test"}, {}, {kService});
  const auto bound = server.bound();
  REQUIRE(bound.port != 0);
  CHECK(health(bound, "") == decltype(health(bound, "")){HealthCheckResponse::NOT_SERVING});
  CHECK(health(bound, kService) == decltype(health(bound, "")){HealthCheckResponse::NOT_SERVING});

  server.setServing(true);
  CHECK(health(bound, "") == decltype(health(bound, "")){HealthCheckResponse::SERVING});
  CHECK(health(bound, kService) == decltype(health(bound, "")){HealthCheckResponse::SERVING});
  CHECK(health(bound, "no.such.Service") ==
        decltype(health(bound, "")){grpc::StatusCode::NOT_FOUND});

  server.setServing(false);
  CHECK(health(bound, "") == decltype(health(bound, "")){HealthCheckResponse::NOT_SERVING});
}

TEST_CASE("grpc server: after stop it no longer answers") {
  rpc::GrpcServer server({{"127.0.0.1", 0}, "test"}, {}, {kService});
  server.setServing(true);
  const auto bound = server.bound();
  server.stop(std::chrono::steady_clock::now() + 1s);
  CHECK(health(bound, "") == decltype(health(bound, "")){grpc::StatusCode::UNAVAILABLE});
}

TEST_CASE("grpc server: an address it cannot listen on is an InfrastructureError") {
  // 192.0.2.1 (TEST-NET-1) is no address of this machine.
  CHECK_THROWS_AS(rpc::GrpcServer({{"192.0.2.1", 0}, "test"}, {}, {}), InfrastructureError);
}
