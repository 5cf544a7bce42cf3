#pragma once

#include <amqp.h>

#include "workstream/events/consumer.hpp"

namespace workstream::amqp {

// A delivery as handlers see it: string and integer headers as strings, the
// attempt from x-attempts, the routing key from x-original-routing-key when
// the message came back from a retry queue.
events::Delivery toDelivery(const amqp_envelope_t& envelope);

}  // namespace workstream::amqp
