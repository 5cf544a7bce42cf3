#pragma once

// A plain-socket HTTP/1.1 client for the tests of servers bound to loopback:
// one request per connection, the whole response read until close.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <optional>
#include <string>

namespace workstream::testing {

struct RawResponse {
  int status = 0;
  std::string text;  // status line, headers and body
};

// Connects to 127.0.0.1:`port`; nullopt if the connection is refused.
inline std::optional<RawResponse> rawGet(std::uint16_t port, const std::string& path) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return std::nullopt;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return std::nullopt;
  }
  const std::string request =
      "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) < 0) {
    ::close(fd);
    return std::nullopt;
  }
  RawResponse response;
  char buffer[4096];
  for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) response.text.append(buffer, n);
  ::close(fd);
  // "HTTP/1.1 200 OK"
  if (response.text.size() < 12) return std::nullopt;
  response.status = std::stoi(response.text.substr(9, 3));
  return response;
}

}  // namespace workstream::testing
