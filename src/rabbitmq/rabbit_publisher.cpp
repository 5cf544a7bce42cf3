#include "rabbitmq/rabbit_publisher.hpp"

#include <amqp.h>

#include <unordered_map>

namespace workstream::amqp {
namespace {

using Clock = std::chrono::steady_clock;

// The AMQP table of a message's headers; points into `message`.
std::vector<amqp_table_entry_t> headerEntries(const events::OutgoingMessage& message) {
  std::vector<amqp_table_entry_t> entries;
  for (const auto& [key, value] : message.headers) {
    amqp_table_entry_t entry;
    entry.key = bytes(key);
    if (const auto* text = std::get_if<std::string>(&value)) {
      entry.value.kind = AMQP_FIELD_KIND_UTF8;
      entry.value.value.bytes = bytes(*text);
    } else {
      entry.value.kind = AMQP_FIELD_KIND_I64;
      entry.value.value.i64 = std::get<std::int64_t>(value);
    }
    entries.push_back(entry);
  }
  return entries;
}

}  // namespace

RabbitPublisher::RabbitPublisher(ConnectionOptions options,
                                 std::chrono::milliseconds confirmTimeout,
                                 std::function<void(Connection&)> onConnect)
    : options_(std::move(options)),
      confirmTimeout_(confirmTimeout),
      onConnect_(std::move(onConnect)) {}

RabbitPublisher::~RabbitPublisher() = default;

void RabbitPublisher::connect() {
  auto connection = std::make_unique<Connection>(options_);
  if (onConnect_) onConnect_(*connection);
  amqp_confirm_select(connection->get(), Connection::kChannel);
  connection->check("confirm.select");
  connection_ = std::move(connection);
  nextTag_ = 1;
}

std::optional<std::string> RabbitPublisher::tryConnect() {
  if (connection_) return std::nullopt;
  try {
    connect();
    return std::nullopt;
  } catch (const InfrastructureError& e) {
    return e.what();
  }
}

void RabbitPublisher::send(const events::OutgoingMessage& message) {
  auto entries = headerEntries(message);
  const std::string expiration = message.expirationMs ? std::to_string(*message.expirationMs) : "";
  amqp_basic_properties_t props{};
  props._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG |
                 AMQP_BASIC_MESSAGE_ID_FLAG | AMQP_BASIC_TYPE_FLAG | AMQP_BASIC_APP_ID_FLAG |
                 AMQP_BASIC_TIMESTAMP_FLAG | AMQP_BASIC_HEADERS_FLAG;
  props.content_type = bytes("application/json");
  props.delivery_mode = 2;  // persistent
  props.message_id = bytes(message.messageId);
  props.type = bytes(message.type);
  props.app_id = bytes(message.appId);
  props.timestamp = static_cast<uint64_t>(message.timestamp);
  props.headers = {static_cast<int>(entries.size()), entries.data()};
  if (message.expirationMs) {
    props._flags |= AMQP_BASIC_EXPIRATION_FLAG;
    props.expiration = bytes(expiration);
  }
  const int status = amqp_basic_publish(
      connection_->get(), Connection::kChannel, bytes(message.exchange), bytes(message.routingKey),
      /*mandatory=*/1, /*immediate=*/0, &props, bytes(message.body));
  connection_->checkStatus(status, "basic.publish");
}

std::vector<bool> RabbitPublisher::publish(const std::vector<events::OutgoingMessage>& batch) {
  std::vector<bool> confirmed(batch.size(), false);
  if (batch.empty()) return confirmed;
  try {
    if (!connection_) connect();
    for (const auto& message : batch) send(message);
    awaitConfirms(batch, confirmed);
    amqp_maybe_release_buffers(connection_->get());
  } catch (...) {
    connection_.reset();  // a half-confirmed channel is not reused
    throw;
  }
  return confirmed;
}

// Reads basic.ack / basic.nack / basic.return until every message of the
// batch is settled. A returned (unroutable) message is followed by its ack,
// which must not count.
void RabbitPublisher::awaitConfirms(const std::vector<events::OutgoingMessage>& batch,
                                    std::vector<bool>& confirmed) {
  auto* conn = connection_->get();
  const std::uint64_t first = nextTag_;
  nextTag_ += batch.size();
  std::vector<bool> settled(batch.size(), false), returned(batch.size(), false);
  std::unordered_map<std::string, std::size_t> byId;
  for (std::size_t i = 0; i < batch.size(); ++i) byId.emplace(batch[i].messageId, i);
  std::size_t open = batch.size();
  auto settle = [&](std::uint64_t tag, bool multiple, bool ack) {
    for (std::uint64_t t = multiple ? first : tag; t <= tag; ++t) {
      if (t < first || t >= nextTag_) continue;
      const std::size_t i = t - first;
      if (settled[i]) continue;
      settled[i] = true;
      confirmed[i] = ack && !returned[i];
      --open;
    }
  };
  const auto deadline = Clock::now() + confirmTimeout_;
  while (open > 0) {
    const auto left =
        std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now());
    if (left.count() <= 0) throw Unavailable("RabbitMQ did not confirm within the timeout");
    timeval tv{static_cast<time_t>(left.count() / 1'000'000),
               static_cast<suseconds_t>(left.count() % 1'000'000)};
    amqp_frame_t frame;
    const int status = amqp_simple_wait_frame_noblock(conn, &frame, &tv);
    if (status == AMQP_STATUS_TIMEOUT) continue;
    connection_->checkStatus(status, "waiting for confirms");
    if (frame.frame_type != AMQP_FRAME_METHOD) continue;
    switch (frame.payload.method.id) {
      case AMQP_BASIC_ACK_METHOD: {
        const auto* ack = static_cast<amqp_basic_ack_t*>(frame.payload.method.decoded);
        settle(ack->delivery_tag, ack->multiple, true);
        break;
      }
      case AMQP_BASIC_NACK_METHOD: {
        const auto* nack = static_cast<amqp_basic_nack_t*>(frame.payload.method.decoded);
        settle(nack->delivery_tag, nack->multiple, false);
        break;
      }
      case AMQP_BASIC_RETURN_METHOD: {
        amqp_message_t message;
        const auto reply = amqp_read_message(conn, frame.channel, &message, 0);
        if (reply.reply_type != AMQP_RESPONSE_NORMAL) {
          connection_->markBroken();
          throw Unavailable("cannot read a returned message");
        }
        if (auto it = byId.find(str(message.properties.message_id)); it != byId.end()) {
          returned[it->second] = true;
        }
        amqp_destroy_message(&message);
        break;
      }
      case AMQP_CHANNEL_CLOSE_METHOD:
      case AMQP_CONNECTION_CLOSE_METHOD:
        connection_->markBroken();
        throw AmqpError("RabbitMQ closed the channel while publishing (does the exchange exist?)");
      default:
        break;
    }
  }
}

}  // namespace workstream::amqp
