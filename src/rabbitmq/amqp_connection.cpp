#include "rabbitmq/amqp_connection.hpp"

#include <amqp.h>

#include <amqp_ssl_socket.h>
#include <amqp_tcp_socket.h>

#include <vector>

#include "workstream/core/time.hpp"

namespace workstream::amqp {
namespace {

std::string describe(const amqp_rpc_reply_t& reply) {
  switch (reply.reply_type) {
    case AMQP_RESPONSE_NORMAL:
      return "ok";
    case AMQP_RESPONSE_NONE:
      return "no reply";
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
      return amqp_error_string2(reply.library_error);
    case AMQP_RESPONSE_SERVER_EXCEPTION:
      if (reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
        const auto* close = static_cast<amqp_channel_close_t*>(reply.reply.decoded);
        return "channel closed by the broker: " + std::to_string(close->reply_code) + " " +
               str(close->reply_text);
      }
      if (reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
        const auto* close = static_cast<amqp_connection_close_t*>(reply.reply.decoded);
        return "connection closed by the broker: " + std::to_string(close->reply_code) + " " +
               str(close->reply_text);
      }
      return "broker error";
  }
  return "unknown";
}

}  // namespace

amqp_bytes_t bytes(std::string_view s) { return {s.size(), const_cast<char*>(s.data())}; }

std::string str(amqp_bytes_t b) { return {static_cast<const char*>(b.bytes), b.len}; }

Connection::Connection(const ConnectionOptions& options) {
  std::vector<char> url(options.url.begin(), options.url.end());
  url.push_back('\0');
  amqp_connection_info info;
  amqp_default_connection_info(&info);
  if (amqp_parse_url(url.data(), &info) != AMQP_STATUS_OK) throw AmqpError("invalid AMQP URL");

  conn_ = amqp_new_connection();
  amqp_socket_t* socket = info.ssl ? amqp_ssl_socket_new(conn_) : amqp_tcp_socket_new(conn_);
  if (socket == nullptr) {
    amqp_destroy_connection(conn_);
    throw AmqpError("cannot create an AMQP socket");
  }
  auto tv = toTimeval(options.timeout);
  amqp_set_handshake_timeout(conn_, &tv);
  amqp_set_rpc_timeout(conn_, &tv);
  try {
    if (int status = amqp_socket_open_noblock(socket, info.host, info.port, &tv); status != 0) {
      throw Unavailable(std::string("cannot connect to RabbitMQ: ") + amqp_error_string2(status));
    }
    amqp_table_entry_t property{bytes("connection_name"), {AMQP_FIELD_KIND_UTF8, {}}};
    property.value.value.bytes = bytes(options.name);
    amqp_table_t properties{1, &property};
    const auto login =
        amqp_login_with_properties(conn_, info.vhost, 1, 131072, options.heartbeatSeconds,
                                   &properties, AMQP_SASL_METHOD_PLAIN, info.user, info.password);
    if (login.reply_type != AMQP_RESPONSE_NORMAL) {
      throw Unavailable("RabbitMQ login failed: " + describe(login));
    }
    amqp_channel_open(conn_, kChannel);
    check("channel.open");
  } catch (...) {
    markBroken();
    amqp_destroy_connection(conn_);
    throw;
  }
}

Connection::~Connection() {
  if (!broken_) {
    amqp_channel_close(conn_, kChannel, AMQP_REPLY_SUCCESS);
    amqp_connection_close(conn_, AMQP_REPLY_SUCCESS);
  }
  amqp_destroy_connection(conn_);
}

void Connection::check(std::string_view what) {
  const auto reply = amqp_get_rpc_reply(conn_);
  if (reply.reply_type == AMQP_RESPONSE_NORMAL) return;
  markBroken();  // after a server exception the channel is gone too
  const std::string message = std::string(what) + ": " + describe(reply);
  if (reply.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION) throw AmqpError(message);
  throw Unavailable(message);
}

void Connection::checkStatus(int status, std::string_view what) {
  if (status == AMQP_STATUS_OK) return;
  markBroken();
  throw Unavailable(std::string(what) + ": " + amqp_error_string2(status));
}

}  // namespace workstream::amqp
