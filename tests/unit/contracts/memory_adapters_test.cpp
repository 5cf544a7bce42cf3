// The in-memory fakes against the ports' contracts; the real adapters meet
// the same contracts in tests/integration/contracts.
#include <catch2/catch.hpp>

#include "contracts/dedup_store_contract.hpp"
#include "contracts/delivery_log_contract.hpp"
#include "contracts/event_publisher_contract.hpp"
#include "contracts/mail_requests_contract.hpp"
#include "contracts/mail_sender_contract.hpp"
#include "contracts/outbox_contract.hpp"
#include "contracts/record_store_contract.hpp"
#include "contracts/task_store_contract.hpp"
#include "contracts/tasks_client_contract.hpp"
#include "fakes/memory_dedup_store.hpp"
#include "fakes/memory_delivery_log.hpp"
#include "fakes/memory_mail_requests.hpp"
#include "fakes/memory_mail_sender.hpp"
#include "fakes/memory_outbox.hpp"
#include "fakes/memory_record_store.hpp"
#include "fakes/memory_task_store.hpp"
#include "fakes/quiet_logger.hpp"
#include "gateway/local_tasks_client.hpp"
#include "tasks/task_events.hpp"
#include "workstream/events/contracts.hpp"

using namespace workstream;

TEST_CASE("dedup store contract: in memory") {
  fakes::MemoryDedupStore store;
  contracts::checkDedupStoreContract(store);
}

TEST_CASE("record store contract: in memory") {
  fakes::MemoryRecordStore store;
  contracts::checkRecordStoreContract(store);
}

TEST_CASE("task store contract: in memory") {
  fakes::MemoryTaskStore store;
  contracts::checkTaskStoreContract(store, [&](const std::string& taskId) {
    std::vector<std::string> types;
    for (const auto& event : store.outbox()) {
      if (event.aggregateId == taskId) types.push_back(event.eventType);
    }
    return types;
  });
}

TEST_CASE("delivery log contract: in memory") {
  fakes::MemoryDeliveryLog log;
  contracts::checkDeliveryLogContract(log);
}

TEST_CASE("event publisher contract: in memory") {
  fakes::RecordingPublisher publisher;
  publisher.refuse("contract.unrouted", true);  // the broker's "no queue bound"
  std::size_t seen = 0;
  contracts::PublisherHarness harness{publisher, "contract.routed", "contract.unrouted", [&] {
                                        // What the broker would deliver: the confirmed messages, as
                                        // a consumer sees them.
                                        std::vector<events::Delivery> out;
                                        const auto confirmed = publisher.confirmed();
                                        for (; seen < confirmed.size(); ++seen) {
                                          const auto& m = confirmed[seen];
                                          events::Delivery d;
                                          d.body = m.body;
                                          d.messageId = m.messageId;
                                          d.type = m.type;
                                          d.appId = m.appId;
                                          d.timestamp = m.timestamp;
                                          d.routingKey = m.routingKey;
                                          for (const auto& [name, value] : m.headers) {
                                            if (const auto* text = std::get_if<std::string>(&value))
                                              d.headers[name] = *text;
                                          }
                                          out.push_back(std::move(d));
                                        }
                                        return out;
                                      }};
  contracts::checkEventPublisherContract(harness);

  publisher.setDown(true);
  contracts::checkEventPublisherUnavailable(publisher, "contract.routed");
}

TEST_CASE("mail sender contract: in memory") {
  fakes::MemoryMailSender sender;
  const std::string refusedForGood = "reject-1@example.com";
  const std::string refusedForNow = "tempfail-1@example.com";
  sender.refuse(refusedForGood, {mailer::SendResult::Kind::permanent, "550 mailbox unavailable"});
  sender.refuse(refusedForNow, {mailer::SendResult::Kind::transient, "451 try again later"});
  contracts::MailSenderHarness harness{
      sender, [&](const std::string& address) { return sender.receivedFor(address); },
      refusedForGood, refusedForNow};
  contracts::checkMailSenderContract(harness);

  sender.setDown(true);
  contracts::checkMailSenderUnreachable(sender);
}

TEST_CASE("mail requests contract: in memory") {
  fakes::MemoryMailRequests requests;
  contracts::MailRequestsHarness harness{requests, [&] { return requests.take(); }};
  contracts::checkMailRequestsContract(harness);

  requests.setDown(true);
  contracts::checkMailRequestsUnavailable(requests);
}

TEST_CASE("outbox contract: in memory") {
  fakes::MemoryOutbox outbox;
  contracts::OutboxHarness harness{
      outbox, [&] {
        // The event a create commits, as the task store would write it.
        const auto now = systemNow();
        const tasks::Task task{newUuid(), "t", {}, {}, tasks::TaskStatus::open, now, now, {}};
        const auto event = tasks::taskEvent(events::kTaskCreated, task,
                                            {"req-1", "4bf92f3577b34da6a3ce929d0e0e4736"}, now);
        outbox.add({0, event.eventId, event.eventType, event.routingKey, event.envelopeJson,
                    event.traceId, event.producer});
        return event.eventId;
      }};
  contracts::checkOutboxContract(harness);
}

TEST_CASE("tasks client contract: in process, over the in-memory store") {
  using namespace std::chrono_literals;
  fakes::MemoryTaskStore store;
  tasks::TaskService service{store, systemNow};
  gateway::LocalTasksClient client(service, fakes::quietLogger("workstream-tasks"), {2, 16, 5s});
  contracts::checkTasksClientContract(client);

  store.beforeEach = [] { throw Unavailable("PostgreSQL: connection refused"); };
  contracts::checkTasksClientUnavailable(client);
}
