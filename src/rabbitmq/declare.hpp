#pragma once

#include "rabbitmq/amqp_connection.hpp"
#include "workstream/events/topology.hpp"

namespace workstream::amqp {

// Declares, idempotently, the exchange and every consumer's queue, DLQ and
// `retryTiers` delay queues, all durable; consumer queues and DLQs are quorum
// queues. An existing queue declared with other arguments is an AmqpError
// naming it.
void declareTopology(Connection& connection, int retryTiers);

}  // namespace workstream::amqp
