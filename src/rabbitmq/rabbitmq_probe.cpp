#include <amqp.h>
#include <amqp_ssl_socket.h>
#include <amqp_tcp_socket.h>

#include <memory>
#include <vector>

#include "rabbitmq/rabbitmq_probe.hpp"

namespace workstream::probes {
namespace {

CheckResult check(const std::string& url, milliseconds timeout) {
  std::vector<char> buffer(url.begin(), url.end());
  buffer.push_back('\0');
  amqp_connection_info info;
  amqp_default_connection_info(&info);
  if (amqp_parse_url(buffer.data(), &info) != AMQP_STATUS_OK) return {false, "invalid AMQP URL"};

  std::unique_ptr<amqp_connection_state_t_, decltype(&amqp_destroy_connection)> conn(
      amqp_new_connection(), amqp_destroy_connection);
  amqp_socket_t* socket =
      info.ssl ? amqp_ssl_socket_new(conn.get()) : amqp_tcp_socket_new(conn.get());
  if (socket == nullptr) return {false, "cannot create an AMQP socket"};
  timeval tv{static_cast<time_t>(timeout.count() / 1000),
             static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  amqp_set_handshake_timeout(conn.get(), &tv);
  amqp_set_rpc_timeout(conn.get(), &tv);
  if (int status = amqp_socket_open_noblock(socket, info.host, info.port, &tv); status != 0) {
    return {false, std::string("cannot connect to RabbitMQ: ") + amqp_error_string2(status)};
  }
  const auto login = amqp_login(conn.get(), info.vhost, 1, 131072, 0, AMQP_SASL_METHOD_PLAIN,
                                info.user, info.password);
  if (login.reply_type != AMQP_RESPONSE_NORMAL) {
    return {false,
            login.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION
                ? std::string("RabbitMQ login failed: ") + amqp_error_string2(login.library_error)
                : std::string("RabbitMQ refused the login")};
  }
  amqp_connection_close(conn.get(), AMQP_REPLY_SUCCESS);
  return {true, {}};
}

}  // namespace

Probe rabbitmq(const std::string& url, milliseconds timeout) {
  return [url, timeout] { return check(url, timeout); };
}

}  // namespace workstream::probes
