#include "rabbitmq/delivery.hpp"

#include <amqp.h>

#include <optional>

#include "events/failure_routing.hpp"
#include "rabbitmq/amqp_connection.hpp"

namespace workstream::amqp {
namespace {

std::optional<std::string> headerText(const amqp_field_value_t& value) {
  switch (value.kind) {
    case AMQP_FIELD_KIND_UTF8:
    case AMQP_FIELD_KIND_BYTES:
      return str(value.value.bytes);
    case AMQP_FIELD_KIND_I8:
      return std::to_string(value.value.i8);
    case AMQP_FIELD_KIND_U8:
      return std::to_string(value.value.u8);
    case AMQP_FIELD_KIND_I16:
      return std::to_string(value.value.i16);
    case AMQP_FIELD_KIND_U16:
      return std::to_string(value.value.u16);
    case AMQP_FIELD_KIND_I32:
      return std::to_string(value.value.i32);
    case AMQP_FIELD_KIND_U32:
      return std::to_string(value.value.u32);
    case AMQP_FIELD_KIND_I64:
      return std::to_string(value.value.i64);
    case AMQP_FIELD_KIND_U64:
      return std::to_string(value.value.u64);
    default:
      return std::nullopt;  // tables (x-death), arrays, floats: not for handlers
  }
}

}  // namespace

events::Delivery toDelivery(const amqp_envelope_t& envelope) {
  const auto& props = envelope.message.properties;
  events::Delivery d;
  d.body = str(envelope.message.body);
  if (props._flags & AMQP_BASIC_MESSAGE_ID_FLAG) d.messageId = str(props.message_id);
  if (props._flags & AMQP_BASIC_TYPE_FLAG) d.type = str(props.type);
  if (props._flags & AMQP_BASIC_APP_ID_FLAG) d.appId = str(props.app_id);
  if (props._flags & AMQP_BASIC_TIMESTAMP_FLAG)
    d.timestamp = static_cast<std::int64_t>(props.timestamp);
  d.routingKey = str(envelope.routing_key);
  d.redelivered = envelope.redelivered != 0;
  if (props._flags & AMQP_BASIC_HEADERS_FLAG) {
    for (int i = 0; i < props.headers.num_entries; ++i) {
      const auto& entry = props.headers.entries[i];
      if (auto text = headerText(entry.value)) d.headers[str(entry.key)] = *text;
    }
  }
  if (auto it = d.headers.find("x-attempts"); it != d.headers.end()) {
    d.attempt = events::attemptAfterFailures(it->second);
  }
  if (auto it = d.headers.find("x-original-routing-key"); it != d.headers.end()) {
    d.routingKey = it->second;
  }
  return d;
}

}  // namespace workstream::amqp
