#include "rabbitmq/rabbitmq_probe.hpp"

#include "rabbitmq/amqp_connection.hpp"

namespace workstream::probes {
namespace {

// Connecting as the consumers and publishers do (login, a channel) is the check.
CheckResult check(const std::string& url, milliseconds timeout) {
  try {
    amqp::Connection connection({url, timeout, 0, "workstream readiness"});
    return {true, {}};
  } catch (const InfrastructureError& e) {
    return {false, e.what()};
  }
}

}  // namespace

Probe rabbitmq(const std::string& url, milliseconds timeout) {
  return [url, timeout] { return check(url, timeout); };
}

}  // namespace workstream::probes
