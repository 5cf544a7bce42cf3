#include "rabbitmq/declare.hpp"

#include <amqp.h>

#include <vector>

namespace workstream::amqp {
namespace {

// An AMQP table of string values; the strings must outlive it.
class Arguments {
 public:
  Arguments& add(std::string_view key, std::string_view value) {
    amqp_table_entry_t entry;
    entry.key = bytes(key);
    entry.value.kind = AMQP_FIELD_KIND_UTF8;
    entry.value.value.bytes = bytes(value);
    entries_.push_back(entry);
    return *this;
  }
  amqp_table_t table() { return {static_cast<int>(entries_.size()), entries_.data()}; }

 private:
  std::vector<amqp_table_entry_t> entries_;
};

void declareQueue(Connection& c, const std::string& name, Arguments arguments) {
  amqp_queue_declare(c.get(), Connection::kChannel, bytes(name), 0, 1, 0, 0, arguments.table());
  c.check("declaring queue " + name);
}

}  // namespace

void declareTopology(Connection& c, int retryTiers) {
  const std::string exchange(events::kExchange);
  amqp_exchange_declare(c.get(), Connection::kChannel, bytes(exchange), bytes("topic"), 0, 1, 0, 0,
                        amqp_empty_table);
  c.check("declaring exchange " + exchange);
  for (const auto& queue : events::consumerQueues()) {
    declareQueue(c, queue.name, Arguments().add("x-queue-type", "quorum"));
    amqp_queue_bind(c.get(), Connection::kChannel, bytes(queue.name), bytes(exchange),
                    bytes(queue.bindingKey), amqp_empty_table);
    c.check("binding queue " + queue.name);
    declareQueue(c, queue.deadLetterQueue(), Arguments().add("x-queue-type", "quorum"));
    // A retried message waits in a delay queue until its expiration, then
    // dead-letters through the default exchange back to its own queue only.
    for (int tier = 1; tier <= retryTiers; ++tier) {
      declareQueue(c, queue.retryQueue(tier),
                   Arguments()
                       .add("x-queue-type", "classic")
                       .add("x-dead-letter-exchange", "")
                       .add("x-dead-letter-routing-key", queue.name));
    }
  }
}

}  // namespace workstream::amqp
