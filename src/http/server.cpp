#include "http/server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace workstream::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

namespace {

Request toRequest(bhttp::request<bhttp::string_body>&& in) {
  Request out;
  out.method = std::string(in.method_string());
  out.target = std::string(in.target());
  for (const auto& field : in) {
    out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  out.body = std::move(in.body());
  return out;
}

bhttp::response<bhttp::string_body> toBeast(Response&& in, unsigned version, bool keepAlive) {
  bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(in.status), version};
  for (auto& [name, value] : in.headers) out.set(name, value);
  out.body() = std::move(in.body);
  out.keep_alive(keepAlive);
  out.prepare_payload();
  return out;
}

// The reply to a request the parser refused, or none when the connection
// just ended or timed out (there is nobody to answer).
std::optional<Response> replyToReadError(const beast::error_code& ec) {
  if (ec == bhttp::error::body_limit) {
    return errorResponse(413, "PAYLOAD_TOO_LARGE", "request body exceeds the limit");
  }
  if (ec == bhttp::error::header_limit) {
    return errorResponse(431, "HEADERS_TOO_LARGE", "request headers exceed the limit");
  }
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
      ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
    return errorResponse(400, "BAD_REQUEST", "malformed HTTP request: " + ec.message());
  }
  return std::nullopt;
}

}  // namespace

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
  Impl(asio::io_context& io, Handler h, ServerLimits l, Logger lg)
      : io(io), acceptor(io), handler(std::move(h)), limits(l), log(std::move(lg)) {}

  asio::awaitable<void> session(beast::tcp_stream stream) {
    beast::flat_buffer buffer;
    while (true) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(limits.headerBytes));
      parser.body_limit(limits.bodyBytes);
      stream.expires_after(limits.readTimeout);
      auto [ec, n] = co_await bhttp::async_read(stream, buffer, parser, kNoThrow);
      if (ec) {
        if (auto reply = replyToReadError(ec)) {
          auto res = toBeast(std::move(*reply), 11, false);
          stream.expires_after(limits.readTimeout);
          co_await bhttp::async_write(stream, res, kNoThrow);
        }
        break;
      }
      auto request = parser.release();
      const bool keepAlive = request.keep_alive();
      const unsigned version = request.version();
      Response reply;
      try {
        reply = handler(toRequest(std::move(request)));
      } catch (const std::exception& e) {
        log.error("request handler failed", {{"error", e.what()}});
        reply = errorResponse(500, "INTERNAL", "internal error");
      }
      auto res = toBeast(std::move(reply), version, keepAlive);
      stream.expires_after(limits.readTimeout);
      auto [wec, wn] = co_await bhttp::async_write(stream, res, kNoThrow);
      if (wec || !keepAlive) break;
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  asio::awaitable<void> acceptLoop() {
    auto self = shared_from_this();
    while (acceptor.is_open()) {
      auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(io), kNoThrow);
      if (ec == asio::error::operation_aborted) break;
      if (ec) {
        log.warn("accept failed", {{"error", ec.message()}});
        continue;
      }
      auto executor = socket.get_executor();
      asio::co_spawn(executor, session(beast::tcp_stream(std::move(socket))), asio::detached);
    }
  }

  asio::io_context& io;
  tcp::acceptor acceptor;
  Handler handler;
  ServerLimits limits;
  Logger log;
};

Server::Server(asio::io_context& io, Handler handler, ServerLimits limits, Logger log)
    : impl_(std::make_shared<Impl>(io, std::move(handler), limits, std::move(log))) {}

Server::~Server() { stop(); }

HostPort Server::listen(const HostPort& address) {
  tcp::resolver resolver(impl_->io);
  const auto endpoint =
      resolver.resolve(address.host, std::to_string(address.port), tcp::resolver::passive)
          .begin()
          ->endpoint();
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol());
  acceptor.set_option(tcp::acceptor::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(asio::socket_base::max_listen_connections);
  asio::co_spawn(acceptor.get_executor(), impl_->acceptLoop(), asio::detached);
  const auto bound = acceptor.local_endpoint();
  return HostPort{bound.address().to_string(), bound.port()};
}

void Server::stop() {
  asio::post(impl_->acceptor.get_executor(), [impl = impl_] {
    beast::error_code ignored;
    impl->acceptor.close(ignored);
  });
}

}  // namespace workstream::http
