#include "support/rabbit_vhost.hpp"

#include <amqp.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <thread>

#include "rabbitmq/delivery.hpp"
#include "workstream/core/uuid.hpp"

namespace workstream::testing {

std::string servers(const std::string& args) {
  const std::string command = std::string(WORKSTREAM_SOURCE_DIR) + "/scripts/servers.sh " + args;
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, pipe)) out += buffer;
  const int status = pclose(pipe);
  INFO(command);
  REQUIRE(status == 0);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

bool eventually(const std::function<bool()>& condition, double seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

RabbitVhost::RabbitVhost() : name_("test-" + newUuid().substr(0, 8)) {
  url_ = servers("vhost " + name_);
}

RabbitVhost::~RabbitVhost() { servers("drop-vhost " + name_); }

amqp::ConnectionOptions RabbitVhost::options(std::string name) const {
  return {url_, std::chrono::milliseconds(5000), 0, std::move(name)};
}

int RabbitVhost::depth(const std::string& queue) {
  amqp::Connection c(options("depth"));
  auto* ok = amqp_queue_declare(c.get(), amqp::Connection::kChannel, amqp::bytes(queue), 1, 0, 0, 0,
                                amqp_empty_table);
  c.check("passive declare of " + queue);
  return static_cast<int>(ok->message_count);
}

std::optional<events::Delivery> RabbitVhost::get(const std::string& queue) {
  amqp::Connection c(options("get"));
  const auto reply = amqp_basic_get(c.get(), amqp::Connection::kChannel, amqp::bytes(queue), 1);
  if (reply.reply_type != AMQP_RESPONSE_NORMAL) c.check("basic.get");
  if (reply.reply.id != AMQP_BASIC_GET_OK_METHOD) return std::nullopt;
  const auto* ok = static_cast<amqp_basic_get_ok_t*>(reply.reply.decoded);
  amqp_envelope_t envelope{};
  envelope.routing_key = ok->routing_key;
  envelope.redelivered = ok->redelivered;
  envelope.delivery_tag = ok->delivery_tag;
  // Copy before reading the content: the method's bytes live in the same pool.
  const std::string routingKey = amqp::str(ok->routing_key);
  const auto read = amqp_read_message(c.get(), amqp::Connection::kChannel, &envelope.message, 0);
  REQUIRE(read.reply_type == AMQP_RESPONSE_NORMAL);
  envelope.routing_key = amqp::bytes(routingKey);
  auto delivery = amqp::toDelivery(envelope);
  amqp_destroy_message(&envelope.message);
  return delivery;
}

}  // namespace workstream::testing
