#pragma once

// RAII over one rabbitmq-c connection with one channel. Not thread-safe: a
// connection belongs to the thread that uses it. Failures throw Unavailable
// (the broker is unreachable or dropped us) or AmqpError (the broker refused
// an operation, e.g. a queue declared with other arguments).

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "workstream/core/errors.hpp"

// rabbitmq-c's types as amqp.h declares them, so that users of the
// connection need not include the driver's header.
struct amqp_connection_state_t_;
typedef struct amqp_connection_state_t_* amqp_connection_state_t;
typedef uint16_t amqp_channel_t;
struct amqp_bytes_t_;
typedef struct amqp_bytes_t_ amqp_bytes_t;

namespace workstream::amqp {

class AmqpError : public InfrastructureError {
 public:
  using InfrastructureError::InfrastructureError;
};

struct ConnectionOptions {
  std::string url;                          // amqp://user:pass@host:port/vhost
  std::chrono::milliseconds timeout{5000};  // connect, login and each RPC
  int heartbeatSeconds = 0;
  std::string name;  // shown in the broker's connection list
};

class Connection {
 public:
  static constexpr amqp_channel_t kChannel = 1;

  explicit Connection(const ConnectionOptions& options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  amqp_connection_state_t get() const { return conn_; }
  // Throws unless the last synchronous call (declare, bind, qos...) succeeded.
  void check(std::string_view what);
  // Throws unless `status` (a library status code) is AMQP_STATUS_OK.
  void checkStatus(int status, std::string_view what);
  // The connection failed: the destructor skips the polite close.
  void markBroken() { broken_ = true; }

 private:
  amqp_connection_state_t conn_ = nullptr;
  bool broken_ = false;
};

amqp_bytes_t bytes(std::string_view s);
std::string str(amqp_bytes_t b);

}  // namespace workstream::amqp
