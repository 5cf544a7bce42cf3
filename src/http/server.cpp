#include "http/server.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <mutex>
#include <unordered_set>

#include "http/framing.hpp"
#include "workstream/core/errors.hpp"
#include "workstream/core/uuid.hpp"

namespace workstream::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr std::chrono::milliseconds kAcceptPause{100};
constexpr std::chrono::seconds kAcceptWarningInterval{10};

namespace {

using Parser = bhttp::request_parser<bhttp::string_body>;

Headers headersOf(const bhttp::request_header<>& in) {
  Headers out;
  for (const auto& field : in) {
    out.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  return out;
}

Request toRequest(bhttp::request<bhttp::string_body>&& in) {
  Request out;
  out.method = std::string(in.method_string());
  out.target = std::string(in.target());
  out.headers = headersOf(in);
  out.body = std::move(in.body());
  return out;
}

bhttp::response<bhttp::string_body> toBeast(Response&& in, unsigned version, bool keepAlive,
                                            bool head = false) {
  bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(in.status), version};
  for (auto& [name, value] : in.headers) out.set(name, value);
  out.body() = std::move(in.body);
  out.keep_alive(keepAlive);
  out.prepare_payload();
  if (head) out.body().clear();  // HEAD: the headers of a GET, Content-Length included
  return out;
}

// An error reply to a request refused before it reached the handler, with a
// fresh request id.
Response refusal(int status, std::string_view code, std::string_view message) {
  const auto requestId = newUuid();
  auto reply = errorResponse(status, code, message, {}, requestId);
  reply.headers.emplace_back("X-Request-Id", requestId);
  return reply;
}

// The reply to a request the parser refused, or none when the connection
// just ended or timed out (there is nobody to answer).
std::optional<Response> replyToReadError(const beast::error_code& ec) {
  if (ec == bhttp::error::body_limit) {
    return refusal(413, "PAYLOAD_TOO_LARGE", "request body exceeds the limit");
  }
  if (ec == bhttp::error::header_limit) {
    return refusal(431, "HEADERS_TOO_LARGE", "request headers exceed the limit");
  }
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
      ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
    return refusal(400, "BAD_REQUEST", "malformed HTTP request: " + ec.message());
  }
  return std::nullopt;
}

// What reading one request came to: a request (no error, no reply), or an
// error with the reply it gets, if anyone is there to get one.
struct ReadOutcome {
  beast::error_code ec;
  std::optional<Response> reply;
};

// One client connection; `busy` while a request is being handled.
struct Connection {
  using Executor = beast::tcp_stream::executor_type;
  explicit Connection(tcp::socket socket) : stream(std::move(socket)) {}
  beast::tcp_stream stream;
  bool busy = false;  // touched only on the connection's strand
};

}  // namespace

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
  Impl(asio::io_context& io, Handler h, ServerLimits l, Logger lg, Metrics* metrics)
      : io(io),
        acceptor(asio::make_strand(io)),
        handler(std::move(h)),
        limits(l),
        log(std::move(lg)) {
    if (metrics == nullptr) return;
    // Registered up front: each status shows, at 0, before its first refusal.
    for (std::size_t i = 0; i < kRefusalStatuses.size(); ++i) {
      refusals[i] = &metrics->counter(
          "workstream_http_refused_total",
          "Requests the HTTP server answered itself before routing (malformed, headers or body "
          "over the limit), by status",
          "status=\"" + std::to_string(kRefusalStatuses[i]) + "\"");
    }
  }

  void countRefusal(const Response& reply) {
    for (std::size_t i = 0; i < kRefusalStatuses.size(); ++i) {
      if (kRefusalStatuses[i] == reply.status && refusals[i] != nullptr) refusals[i]->inc();
    }
    if (log.enabled(LogLevel::info)) {
      std::string_view requestId;
      for (const auto& [name, value] : reply.headers) {
        if (name == "X-Request-Id") requestId = value;
      }
      log.info("request refused before routing",
               {{"status", std::to_string(reply.status)}, {"request_id", requestId}});
    }
  }

  // Hands the request to the handler and suspends until it responds. The
  // response comes back through the connection's strand, and a timer that
  // never expires on its own stands in for the wake-up call.
  asio::awaitable<Response> handle(Request request, Connection::Executor strand) {
    struct Pending {
      explicit Pending(const Connection::Executor& e)
          : wake(e, asio::steady_timer::time_point::max()) {}
      asio::steady_timer wake;
      std::optional<Response> response;
    };
    auto pending = std::make_shared<Pending>(strand);
    Respond respond = [pending, strand](Response response) {
      asio::post(strand, [pending, response = std::move(response)]() mutable {
        pending->response = std::move(response);
        pending->wake.cancel();
      });
    };
    try {
      handler(std::move(request), respond);
    } catch (const std::exception& e) {
      log.error("request handler failed", {{"error", e.what()}});
      respond(errorResponse(500, "INTERNAL", "internal error"));
    }
    while (!pending->response) co_await pending->wake.async_wait(kNoThrow);
    co_return std::move(*pending->response);
  }

  // Reads the head, refuses ambiguous framing before any of the body is read
  // (so it cannot be taken for a second request), says `100 Continue` to a
  // client that waits for it, then reads the body.
  asio::awaitable<ReadOutcome> readRequest(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                                           Parser& parser) {
    auto [ec, n] = co_await bhttp::async_read_header(stream, buffer, parser, kNoThrow);
    if (ec) co_return ReadOutcome{ec, replyToReadError(ec)};
    const auto head = headersOf(parser.get());
    const unsigned version = parser.get().version();
    if (auto problem = framingProblem(version, head)) {
      co_return ReadOutcome{bhttp::error::bad_transfer_encoding,
                            refusal(400, "BAD_REQUEST", "malformed HTTP request: " + *problem)};
    }
    if (parser.is_done()) co_return ReadOutcome{};
    if (version >= 11 && expectsContinue(head)) {
      bhttp::response<bhttp::empty_body> goOn{bhttp::status::continue_, version};
      auto [wec, wn] = co_await bhttp::async_write(stream, goOn, kNoThrow);
      if (wec) co_return ReadOutcome{wec, std::nullopt};
    }
    auto [bec, bn] = co_await bhttp::async_read(stream, buffer, parser, kNoThrow);
    co_return ReadOutcome{bec, bec ? replyToReadError(bec) : std::nullopt};
  }

  asio::awaitable<void> session(std::shared_ptr<Connection> conn) {
    auto self = shared_from_this();
    // However the session ends, the server forgets the connection.
    struct Forget {
      Impl* impl;
      std::shared_ptr<Connection> conn;
      ~Forget() { impl->forget(conn); }
    } forget{this, conn};
    auto& stream = conn->stream;
    beast::flat_buffer buffer;
    while (!stopping) {
      Parser parser;
      parser.header_limit(static_cast<std::uint32_t>(limits.headerBytes));
      parser.body_limit(limits.bodyBytes);
      stream.expires_after(limits.readTimeout);
      auto [ec, refused] = co_await readRequest(stream, buffer, parser);
      if (ec) {
        if (refused) {
          countRefusal(*refused);
          auto res = toBeast(std::move(*refused), 11, false);
          stream.expires_after(limits.readTimeout);
          co_await bhttp::async_write(stream, res, kNoThrow);
        }
        break;
      }
      auto request = parser.release();
      const unsigned version = request.version();
      const bool head = request.method() == bhttp::verb::head;
      bool keepAlive = request.keep_alive();
      conn->busy = true;
      Response reply = co_await handle(toRequest(std::move(request)), stream.get_executor());
      keepAlive = keepAlive && !stopping;
      auto res = toBeast(std::move(reply), version, keepAlive, head);
      stream.expires_after(limits.readTimeout);
      auto [wec, wn] = co_await bhttp::async_write(stream, res, kNoThrow);
      conn->busy = false;
      if (wec || !keepAlive) break;
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  // At the descriptor limit accept() fails at once, again and again, until
  // a connection closes: the loop pauses instead of spinning, and says so
  // once per interval. The connections it has are served meanwhile.
  asio::awaitable<void> acceptLoop() {
    auto self = shared_from_this();
    asio::steady_timer pause(acceptor.get_executor());
    while (acceptor.is_open()) {
      auto& loop = loops.empty() ? io : *loops[nextLoop++ % loops.size()];
      auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(loop), kNoThrow);
      if (ec == asio::error::operation_aborted) break;
      if (ec) {
        reportAcceptFailure(ec);
        if (outOfResources(ec)) {
          pause.expires_after(kAcceptPause);
          co_await pause.async_wait(kNoThrow);
        }
        continue;
      }
      auto conn = std::make_shared<Connection>(std::move(socket));
      {
        std::lock_guard lock(mutex);
        connections.insert(conn);
      }
      asio::co_spawn(conn->stream.get_executor(), session(conn), asio::detached);
    }
  }

  static bool outOfResources(const beast::error_code& ec) {
    return ec == asio::error::no_descriptors ||
           ec == boost::system::errc::too_many_files_open_in_system ||
           ec == asio::error::no_buffer_space || ec == asio::error::no_memory;
  }

  // On the acceptor's strand only.
  void reportAcceptFailure(const beast::error_code& ec) {
    const auto now = std::chrono::steady_clock::now();
    if (now - lastAcceptWarning < kAcceptWarningInterval) {
      ++unreportedAcceptFailures;
      return;
    }
    log.warn("accept failed",
             {{"error", ec.message()},
              {"failures_since_last_report", std::to_string(unreportedAcceptFailures)}});
    lastAcceptWarning = now;
    unreportedAcceptFailures = 0;
  }

  void forget(const std::shared_ptr<Connection>& conn) {
    std::lock_guard lock(mutex);
    connections.erase(conn);
    if (connections.empty()) idle.notify_all();
  }

  // Closes the connections waiting for a request; busy ones close after
  // their response (the session sees `stopping`).
  void closeIdleConnections() {
    std::lock_guard lock(mutex);
    for (const auto& conn : connections) {
      asio::post(conn->stream.get_executor(), [conn] {
        if (!conn->busy) conn->stream.cancel();
      });
    }
  }

  asio::io_context& io;
  std::vector<asio::io_context*> loops;
  std::size_t nextLoop = 0;  // on the acceptor's strand only
  tcp::acceptor acceptor;
  Handler handler;
  ServerLimits limits;
  Logger log;
  static constexpr std::array<int, 3> kRefusalStatuses{400, 413, 431};
  std::array<Counter*, 3> refusals{};
  std::atomic<bool> stopping{false};
  std::chrono::steady_clock::time_point lastAcceptWarning{};
  std::uint64_t unreportedAcceptFailures = 0;
  std::mutex mutex;
  std::condition_variable idle;
  std::unordered_set<std::shared_ptr<Connection>> connections;
};

Server::Server(asio::io_context& io, Handler handler, ServerLimits limits, Logger log,
               Metrics* metrics)
    : impl_(std::make_shared<Impl>(io, std::move(handler), limits, std::move(log), metrics)) {}

Server::~Server() { stop(); }

void Server::spreadOver(std::vector<asio::io_context*> loops) { impl_->loops = std::move(loops); }

HostPort Server::listen(const HostPort& address) {
  tcp::resolver resolver(impl_->io);
  auto& acceptor = impl_->acceptor;
  try {
    const auto endpoint =
        resolver.resolve(address.host, std::to_string(address.port), tcp::resolver::passive)
            .begin()
            ->endpoint();
    acceptor.open(endpoint.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen(asio::socket_base::max_listen_connections);
  } catch (const boost::system::system_error& e) {
    throw InfrastructureError("cannot listen on " + address.str() + ": " + e.code().message());
  }
  asio::co_spawn(acceptor.get_executor(), impl_->acceptLoop(), asio::detached);
  const auto bound = acceptor.local_endpoint();
  return HostPort{bound.address().to_string(), bound.port()};
}

void Server::stop() {
  if (impl_->stopping.exchange(true)) return;
  asio::post(impl_->acceptor.get_executor(), [impl = impl_] {
    beast::error_code ignored;
    impl->acceptor.close(ignored);
  });
  impl_->closeIdleConnections();
}

bool Server::waitIdle(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(impl_->mutex);
  return impl_->idle.wait_until(lock, deadline, [this] { return impl_->connections.empty(); });
}

}  // namespace workstream::http
