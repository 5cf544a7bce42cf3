#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>

#include "grpc/grpc_tasks_client.hpp"

using namespace workstream;
using namespace std::chrono_literals;

namespace {

// A loopback port whose listener never accepts: the kernel completes the TCP
// handshake, nobody speaks HTTP/2, and a call waits for its deadline.
class SilentListener {
 public:
  SilentListener() : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    REQUIRE(fd_ >= 0);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::listen(fd_, 16) == 0);
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    port_ = ntohs(address.sin_port);
  }
  ~SilentListener() { ::close(fd_); }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_;
  int port_ = 0;
};

}  // namespace

// A call's context holds the channel. Were the client gone before gRPC let
// go of its calls, the channel's last reference would drop on gRPC's own
// callback thread, which frees its queue twice (seen under ASan in CI).
TEST_CASE("grpc tasks client: its destructor waits for the calls it started") {
  SilentListener listener;
  std::atomic<int> replies{0};
  std::atomic<bool> timedOut{false};
  {
    gateway::GrpcTasksClient client(gateway::GrpcTasksClient::channelTo(listener.address()), 300ms);
    for (int i = 0; i < 3; ++i) {
      client.get("0af76519-16cd-43dd-8448-eb211c80319c", {},
                 [&](Result<tasks::Task, gateway::CallError> result) {
                   if (!result && result.error().kind == gateway::CallError::Kind::timedOut) {
                     timedOut = true;
                   }
                   ++replies;
                 });
    }
  }
  CHECK(replies == 3);
  CHECK(timedOut);
}
