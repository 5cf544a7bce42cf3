// The HTTP server's own answers over a loopback socket (port 0): keep-alive,
// what it refuses before any handler runs, and a handler that throws.
#include "http/server.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <catch2/catch.hpp>
#include <thread>

#include "fakes/quiet_logger.hpp"

using namespace workstream;
namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

// A server on 127.0.0.1:0 with one I/O thread; the handler echoes the
// method, target and body, or throws for /throw.
struct Fixture {
  asio::io_context io;
  Metrics metrics;
  std::atomic<int> handled{0};
  http::Server server{io,
                      [this](http::Request request, http::Respond respond) {
                        ++handled;
                        if (request.path() == "/throw") throw std::runtime_error("boom");
                        respond(http::Response::text(
                            200, request.method + " " + request.target + " " + request.body));
                      },
                      http::ServerLimits{1024, 64, std::chrono::milliseconds(5000)},
                      fakes::quietLogger("workstream-test"), &metrics};
  HostPort address = server.listen({"127.0.0.1", 0});
  std::thread thread{[this] { io.run(); }};

  ~Fixture() {
    server.stop();
    server.waitIdle(std::chrono::steady_clock::now() + std::chrono::seconds(5));
    io.stop();
    thread.join();
  }

  tcp::socket connect() {
    tcp::socket socket(io);
    socket.connect({asio::ip::make_address(address.host), address.port});
    return socket;
  }

  double refused(int status) {
    return metrics
        .counter("workstream_http_refused_total", "", "status=\"" + std::to_string(status) + "\"")
        .value();
  }
};

bhttp::response<bhttp::string_body> readResponse(tcp::socket& socket,
                                                 boost::beast::flat_buffer& buffer) {
  bhttp::response<bhttp::string_body> response;
  bhttp::read(socket, buffer, response);
  return response;
}

// Whether the server closed the connection (a read hits the end).
bool closedByServer(tcp::socket& socket) {
  char byte;
  boost::system::error_code ec;
  asio::read(socket, asio::buffer(&byte, 1), ec);
  return ec == asio::error::eof || ec == asio::error::connection_reset;
}

}  // namespace

TEST_CASE("http server: binds port 0 and serves two requests on one kept-alive connection") {
  Fixture f;
  CHECK(f.address.port != 0);
  auto socket = f.connect();
  boost::beast::flat_buffer buffer;
  asio::write(socket, asio::buffer(std::string("GET /a?x=1 HTTP/1.1\r\nHost: t\r\n\r\n")));
  auto first = readResponse(socket, buffer);
  CHECK(first.result_int() == 200);
  CHECK(first.body() == "GET /a?x=1 ");
  CHECK(first.keep_alive());
  asio::write(socket,
              asio::buffer(std::string("POST /b HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n"
                                       "Connection: close\r\n\r\nabc")));
  auto second = readResponse(socket, buffer);
  CHECK(second.result_int() == 200);
  CHECK(second.body() == "POST /b abc");
  CHECK_FALSE(second.keep_alive());
  CHECK(closedByServer(socket));
  CHECK(f.handled == 2);
}

TEST_CASE("http server: a malformed request gets 400 with the error body, then the close") {
  Fixture f;
  auto socket = f.connect();
  boost::beast::flat_buffer buffer;
  asio::write(socket, asio::buffer(std::string("NOT HTTP AT ALL\r\n\r\n")));
  auto response = readResponse(socket, buffer);
  CHECK(response.result_int() == 400);
  CHECK(response.body().find(R"("code":"BAD_REQUEST")") != std::string::npos);
  CHECK_FALSE(response["X-Request-Id"].empty());
  CHECK(closedByServer(socket));
  CHECK(f.handled == 0);
  CHECK(f.refused(400) == 1);
}

TEST_CASE("http server: ambiguous framing (length and chunked) is refused before the body") {
  Fixture f;
  auto socket = f.connect();
  boost::beast::flat_buffer buffer;
  asio::write(socket,
              asio::buffer(std::string("POST /b HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n"
                                       "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")));
  auto response = readResponse(socket, buffer);
  CHECK(response.result_int() == 400);
  CHECK(f.handled == 0);
}

TEST_CASE("http server: a body over the limit gets 413, headers over theirs 431") {
  Fixture f;
  {
    auto socket = f.connect();
    boost::beast::flat_buffer buffer;
    asio::write(socket, asio::buffer("POST /b HTTP/1.1\r\nHost: t\r\nContent-Length: 65\r\n\r\n" +
                                     std::string(65, 'x')));
    auto response = readResponse(socket, buffer);
    CHECK(response.result_int() == 413);
    CHECK(response.body().find("PAYLOAD_TOO_LARGE") != std::string::npos);
    CHECK(closedByServer(socket));
  }
  {
    auto socket = f.connect();
    boost::beast::flat_buffer buffer;
    asio::write(
        socket,
        asio::buffer("GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(2000, 'y') + "\r\n\r\n"));
    auto response = readResponse(socket, buffer);
    CHECK(response.result_int() == 431);
    CHECK(response.body().find("HEADERS_TOO_LARGE") != std::string::npos);
  }
  CHECK(f.handled == 0);
  CHECK(f.refused(413) == 1);
  CHECK(f.refused(431) == 1);
}

TEST_CASE("http server: a handler that throws answers 500 and the connection lives on") {
  Fixture f;
  auto socket = f.connect();
  boost::beast::flat_buffer buffer;
  asio::write(socket, asio::buffer(std::string("GET /throw HTTP/1.1\r\nHost: t\r\n\r\n")));
  auto failed = readResponse(socket, buffer);
  CHECK(failed.result_int() == 500);
  CHECK(failed.body().find(R"("code":"INTERNAL")") != std::string::npos);
  CHECK(failed.body().find("boom") == std::string::npos);  // no internals leak
  asio::write(socket, asio::buffer(std::string("GET /ok HTTP/1.1\r\nHost: t\r\n\r\n")));
  CHECK(readResponse(socket, buffer).result_int() == 200);
}

TEST_CASE("http server: after stop an idle connection is closed and waitIdle returns true") {
  Fixture f;
  auto socket = f.connect();
  boost::beast::flat_buffer buffer;
  asio::write(socket, asio::buffer(std::string("GET / HTTP/1.1\r\nHost: t\r\n\r\n")));
  CHECK(readResponse(socket, buffer).result_int() == 200);
  f.server.stop();
  CHECK(f.server.waitIdle(std::chrono::steady_clock::now() + std::chrono::seconds(5)));
  CHECK(closedByServer(socket));
}
