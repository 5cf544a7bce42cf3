// The envelope parser and the event router: one AMQP message (headers and
// body) as the consumers receive it, read into a Delivery, routed by the
// notifications and the mailer routers as their roles wire them, with
// in-memory stores. Mail requests the notifications publish go on to the
// mailer, and every failed delivery gets its retry or dead-letter copy.
//
// Input: the envelope JSON alone when it starts with '{'; otherwise
// "name: value" header lines, a blank line, then the body. Header values
// that are whole numbers travel as integers, the others as strings.

#include <amqp.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "events/event_router.hpp"
#include "events/failure_routing.hpp"
#include "fuzz/mail_checks.hpp"
#include "mailer/mailer_processor.hpp"
#include "notifications/event_mail_requests.hpp"
#include "notifications/processor.hpp"
#include "rabbitmq/delivery.hpp"

namespace {

using namespace workstream;
using workstream::fuzz::check;

Timestamp fixedNow() { return Timestamp(std::chrono::microseconds(1'700'000'000'000'000)); }

class MemoryDedup final : public events::DedupStore {
 public:
  bool processed(const std::string& id) override { return done_.contains(id); }
  void markProcessed(const std::string& id) override { done_.insert(id); }
  bool claim(const std::string& id, std::chrono::seconds) override {
    return !done_.contains(id) && claimed_.insert(id).second;
  }
  void release(const std::string& id) override { claimed_.erase(id); }

 private:
  std::set<std::string> done_, claimed_;
};

class MemoryRecords final : public notifications::RecordStore {
 public:
  bool insert(const notifications::NotificationRecord& record) override {
    return records_.emplace(record.eventId, record).second;
  }
  std::optional<notifications::NotificationRecord> find(const std::string& id) override {
    auto it = records_.find(id);
    return it == records_.end() ? std::nullopt : std::optional(it->second);
  }
  std::vector<notifications::NotificationRecord> list(const notifications::RecordQuery&) override {
    return {};
  }

 private:
  std::map<std::string, notifications::NotificationRecord> records_;
};

class CapturingPublisher final : public events::EventPublisher {
 public:
  std::vector<bool> publish(const std::vector<events::OutgoingMessage>& batch) override {
    sent.insert(sent.end(), batch.begin(), batch.end());
    return std::vector<bool>(batch.size(), true);
  }
  std::vector<events::OutgoingMessage> sent;
};

class ComposingSender final : public mailer::MailSender {
 public:
  mailer::SendResult send(const mailer::Mail& mail) override {
    fuzz::checkComposed(mail, mailer::composeMessage(mail));
    return {};
  }
};

// The message as rabbitmq-c hands it over; the strings stay in `input`.
struct AmqpMessage {
  std::vector<amqp_table_entry_t> headers;
  amqp_envelope_t envelope{};
};

bool wholeNumber(std::string_view s) {
  if (s.starts_with('-')) s.remove_prefix(1);
  return !s.empty() && s.size() <= 18 && std::all_of(s.begin(), s.end(), ::isdigit);
}

amqp_bytes_t bytesOf(std::string_view s) { return {s.size(), const_cast<char*>(s.data())}; }

void readMessage(std::string_view input, AmqpMessage& message) {
  std::string_view body = input;
  if (!input.starts_with('{')) {
    const auto blank = input.find("\n\n");
    std::string_view head = input.substr(0, blank);
    body = blank == std::string_view::npos ? std::string_view() : input.substr(blank + 2);
    while (!head.empty()) {
      const auto eol = head.find('\n');
      const auto line = head.substr(0, eol);
      head = eol == std::string_view::npos ? std::string_view() : head.substr(eol + 1);
      const auto colon = line.find(": ");
      if (colon == std::string_view::npos) continue;
      amqp_table_entry_t entry{};
      entry.key = bytesOf(line.substr(0, colon));
      const auto value = line.substr(colon + 2);
      if (wholeNumber(value)) {
        entry.value.kind = AMQP_FIELD_KIND_I64;
        entry.value.value.i64 = std::stoll(std::string(value));
      } else {
        entry.value.kind = AMQP_FIELD_KIND_UTF8;
        entry.value.value.bytes = bytesOf(value);
      }
      message.headers.push_back(entry);
    }
  }
  auto& props = message.envelope.message.properties;
  props._flags = AMQP_BASIC_HEADERS_FLAG;
  props.headers.num_entries = static_cast<int>(message.headers.size());
  props.headers.entries = message.headers.data();
  message.envelope.message.body = bytesOf(body);
  message.envelope.routing_key = bytesOf("workstream.task.created");
}

events::Outcome handleOrCopy(events::EventRouter& router, const events::ConsumerQueue& queue,
                             const events::Delivery& delivery) {
  auto outcome = router.handle(delivery);
  if (outcome.kind != events::Outcome::Kind::done) {
    events::failureCopy(delivery, outcome, queue, events::RetryPolicy{}, "fuzz",
                        "2026-11-22T14:08:00Z", 0.5);
    events::goesToDeadLetters(delivery, outcome, events::RetryPolicy{});
  }
  return outcome;
}

events::Delivery deliveryOf(const events::OutgoingMessage& message) {
  events::Delivery d;
  d.body = message.body;
  d.messageId = message.messageId;
  d.type = message.type;
  d.appId = message.appId;
  d.timestamp = message.timestamp;
  d.routingKey = message.routingKey;
  return d;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  AmqpMessage message;
  readMessage(input, message);
  const auto delivery = amqp::toDelivery(message.envelope);

  MemoryDedup seen, mailed;
  MemoryRecords records;
  CapturingPublisher publisher;
  notifications::EventMailRequests mailRequests(publisher);
  notifications::NotificationProcessor notifier(seen, records, mailRequests, fixedNow,
                                                fuzz::quietLogger());
  ComposingSender sender;
  fuzz::IgnoredDeliveries deliveries;
  mailer::MailerProcessor mailer(mailed, deliveries, sender,
                                 mailer::MailerOptions{"workstream@example.com"}, fixedNow,
                                 fuzz::quietLogger());

  events::EventRouter notificationsRouter, mailerRouter;
  notificationsRouter.onBatch(
      {events::kTaskCreated, events::kTaskCompleted},
      [&](const std::vector<events::RoutedEvent>& events) { return notifier.processAll(events); },
      256);
  mailerRouter.on(events::kMailSend, [&](const events::Envelope& e, const events::Delivery& d) {
    return mailer.process(e, d);
  });

  handleOrCopy(notificationsRouter, events::notificationsQueue(), delivery);
  // The same message twice in one batch (a duplicate publish): judged alike,
  // and one mail request per id.
  const auto twice = notificationsRouter.handleBatch({&delivery, &delivery});
  check(twice.size() == 2 && twice[0].kind == twice[1].kind,
        "two copies of one delivery in a batch were judged differently");
  std::set<std::string> requested;
  for (const auto& request : publisher.sent) {
    check(requested.insert(request.messageId).second, "a mail request was sent twice");
  }
  handleOrCopy(mailerRouter, events::mailerQueue(), delivery);
  for (const auto& request : publisher.sent) {
    const auto outcome = handleOrCopy(mailerRouter, events::mailerQueue(), deliveryOf(request));
    check(outcome.kind == events::Outcome::Kind::done || outcome.errorCode == "INVALID_MAIL",
          "the mailer refused the envelope of a mail request the notifications sent");
  }
  return 0;
}
