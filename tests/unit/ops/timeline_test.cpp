#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include "ops/outbox_status.hpp"
#include "ops/timeline.hpp"

using namespace workstream;
using namespace workstream::ops;
using std::chrono::milliseconds;

namespace {

Timestamp at(long long ms) { return Timestamp(milliseconds(1'700'000'000'000 + ms)); }

// A created event that went the whole way, 1 ms (and 700 µs) per hop.
EventFacts wholeChain() {
  EventFacts f;
  f.eventId = "e1";
  f.outbox = OutboxRow{"e1",
                       "workstream.task.created.v1",
                       "req-1",
                       "4bf92f3577b34da6a3ce929d0e0e4736",
                       formatRfc3339(at(0)),
                       at(1) + std::chrono::microseconds(700),
                       at(2)};
  notifications::NotificationRecord r;
  r.eventId = "e1";
  r.receivedAt = at(3);
  r.processedAt = at(4);
  r.attempt = 1;
  r.mailRequestId = "m1";
  f.record = r;
  mailer::DeliveryRecord d;
  d.requestedAt = formatRfc3339(at(5));
  d.sentAt = formatRfc3339(at(7));
  d.messageId = "<m1@workstream>";
  f.delivery = d;
  return f;
}

const Hop& hopNamed(const EventTimeline& t, const std::string& name) {
  for (const auto& h : t.hops)
    if (h.name == name) return h;
  FAIL("no hop " << name);
  throw;
}

}  // namespace

TEST_CASE("timeline: every hop in the chain's order, with gaps from the previous one") {
  const auto t = buildTimeline(wholeChain());
  std::vector<std::string> names;
  for (const auto& h : t.hops) names.push_back(h.name);
  CHECK(names == std::vector<std::string>{"request", "committed", "published", "received",
                                          "recorded", "mail_requested", "mail_sent"});
  for (const auto& h : t.hops) CHECK(h.state == HopState::done);
  CHECK_FALSE(t.hops[0].gap);
  // Times are cut to milliseconds: 1.7 ms after the request shows as 1 ms.
  CHECK(t.hops[1].gap == milliseconds(1));
  CHECK(t.hops[2].gap == milliseconds(1));
  CHECK(hopNamed(t, "mail_sent").gap == milliseconds(2));
  CHECK(hopNamed(t, "request").details ==
        std::vector<std::pair<std::string, std::string>>{
            {"request_id", "req-1"}, {"trace_id", "4bf92f3577b34da6a3ce929d0e0e4736"}});
}

TEST_CASE("timeline: hops that have not happened are 'not yet', and gaps skip them") {
  auto f = wholeChain();
  f.outbox->publishedAt.reset();
  f.record.reset();
  f.delivery.reset();
  const auto t = buildTimeline(f);
  CHECK(hopNamed(t, "published").state == HopState::notYet);
  CHECK_FALSE(hopNamed(t, "published").at);
  CHECK(hopNamed(t, "received").state == HopState::notYet);
  CHECK(hopNamed(t, "mail_sent").state == HopState::notYet);
}

TEST_CASE("timeline: an event that asks for no mail has its mail hops absent") {
  auto f = wholeChain();
  f.record->mailRequestId.clear();
  f.delivery.reset();
  const auto t = buildTimeline(f);
  CHECK(hopNamed(t, "mail_requested").state == HopState::absent);
  CHECK(hopNamed(t, "mail_sent").state == HopState::absent);
}

TEST_CASE("timeline: a pruned outbox row leaves its hops absent, the request from the record") {
  auto f = wholeChain();
  f.outbox.reset();
  f.record->occurredAt = formatRfc3339(at(0));
  f.record->traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
  const auto t = buildTimeline(f);
  CHECK(hopNamed(t, "request").state == HopState::done);
  CHECK(hopNamed(t, "committed").state == HopState::absent);
  CHECK(hopNamed(t, "published").state == HopState::absent);
  CHECK(hopNamed(t, "received").gap == milliseconds(3));
}

TEST_CASE("timeline: a failed mail shows when, why and whether it was dead-lettered") {
  auto f = wholeChain();
  f.delivery->sentAt.clear();
  f.delivery->failedAt = formatRfc3339(at(9));
  f.delivery->errorCode = "SMTP_REJECTED";
  f.delivery->errorMessage = "550 no such user";
  f.delivery->attempt = 1;
  f.delivery->deadLettered = true;
  auto t = buildTimeline(f);
  const auto& sent = hopNamed(t, "mail_sent");
  CHECK(sent.state == HopState::failed);
  CHECK(sent.at == at(9));
  CHECK(sent.details ==
        std::vector<std::pair<std::string, std::string>>{{"error_code", "SMTP_REJECTED"},
                                                         {"error_message", "550 no such user"},
                                                         {"attempt", "1"},
                                                         {"dead_lettered", "true"}});
  f.delivery->deadLettered = false;
  CHECK(hopNamed(buildTimeline(f), "mail_sent").state == HopState::retrying);
}

TEST_CASE("timeline: events come oldest first, the text lists each hop, JSON has them all") {
  auto older = wholeChain();
  auto newer = wholeChain();
  newer.eventId = newer.outbox->eventId = "e2";
  newer.outbox->eventType = "workstream.task.completed.v1";
  newer.outbox->occurredAt = formatRfc3339(at(100));
  newer.outbox->createdAt = at(101);
  newer.outbox->publishedAt.reset();
  newer.record.reset();
  newer.delivery.reset();
  const auto trace = assembleTrace("t1", "Write it", {newer, older});
  REQUIRE(trace.events.size() == 2);
  CHECK(trace.events[0].eventId == "e1");

  const auto text = renderText(trace);
  CHECK(text.find("task t1  \"Write it\"") != std::string::npos);
  for (const char* name : {"request", "committed", "published", "received", "recorded",
                           "mail_requested", "mail_sent"}) {
    CHECK(text.find(name) != std::string::npos);
  }
  CHECK(text.find("not yet") != std::string::npos);
  CHECK(text.find("message_id=<m1@workstream>") != std::string::npos);

  const auto json = boost::json::parse(renderJson(trace)).as_object();
  CHECK(json.at("task_id") == "t1");
  const auto& hops = json.at("events").as_array()[0].at("hops").as_array();
  REQUIRE(hops.size() == 7);
  CHECK(hops[0].at("request_id") == "req-1");
  CHECK(hops[0].at("gap_ms").is_null());
  CHECK(hops[1].at("gap_ms") == 1);
  CHECK(hops[6].at("message_id") == "<m1@workstream>");
  CHECK(hops[6].at("at") == "2023-11-14T22:13:20.007Z");
  const auto& pending = json.at("events").as_array()[1].at("hops").as_array();
  CHECK(pending[2].at("state") == "not yet");
  CHECK(pending[2].at("at").is_null());
}

TEST_CASE("outbox status: the text and JSON say the numbers and who relays, or none") {
  OutboxStatus s{"ws_x", 3, 12.5, 7, std::nullopt};
  auto text = renderOutboxStatus(s, false);
  CHECK(text.find("pending                 3") != std::string::npos);
  CHECK(text.find("12.5s") != std::string::npos);
  CHECK(text.find("active relay            none") != std::string::npos);
  s.relay = RelayHolder{42, "workstream relay pid=9 host=h", "local socket", 5};
  text = renderOutboxStatus(s, false);
  CHECK(text.find("workstream relay pid=9 host=h (backend pid 42") != std::string::npos);
  const auto json = boost::json::parse(renderOutboxStatus(s, true)).as_object();
  CHECK(json.at("pending") == 3);
  CHECK(json.at("published_last_minute") == 7);
  CHECK(json.at("active_relay").at("application_name") == "workstream relay pid=9 host=h");
}
