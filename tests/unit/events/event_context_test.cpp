#include <catch2/catch.hpp>

#include "events/event_context.hpp"

using namespace workstream;
using namespace workstream::events;

TEST_CASE("event context: read from the envelope and its payload") {
  Delivery d;
  d.messageId = "6f1c2a4e-1111-4222-8333-444455556666";
  d.body = R"({"event_id":"6f1c2a4e-1111-4222-8333-444455556666",
    "event_type":"workstream.task.created.v1","occurred_at":"2026-11-22T13:45:01.123456Z",
    "producer":"workstream-tasks","trace_id":"0af7651916cd43dd8448eb211c80319c",
    "payload":{"task_id":"7a0b2c4e-1111-4222-8333-444455556666"}})";
  const auto c = eventContext(d);
  CHECK(c.eventId == "6f1c2a4e-1111-4222-8333-444455556666");
  CHECK(c.traceId == "0af7651916cd43dd8448eb211c80319c");
  CHECK(c.taskId == "7a0b2c4e-1111-4222-8333-444455556666");
  REQUIRE(c.occurredAt);
  CHECK(formatRfc3339(*c.occurredAt) == "2026-11-22T13:45:01.123456Z");
}

TEST_CASE("event context: a body that is no envelope falls back to the properties") {
  Delivery d;
  d.messageId = "poison-1";
  d.body = "not json {";
  d.timestamp = 1'700'000'000;
  d.headers["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  const auto c = eventContext(d);
  CHECK(c.eventId == "poison-1");
  CHECK(c.traceId == "0af7651916cd43dd8448eb211c80319c");
  CHECK(c.taskId.empty());
  REQUIRE(c.occurredAt);
  CHECK(c.occurredAt->time_since_epoch() == std::chrono::seconds(1'700'000'000));
}

TEST_CASE("event context: wrong types and huge values do not pass through") {
  Delivery d;
  d.body = R"({"event_id":42,"trace_id":["x"],"payload":"task"})";
  d.headers["traceparent"] = "garbage";
  auto c = eventContext(d);
  CHECK(c.eventId.empty());
  CHECK(c.traceId.empty());
  CHECK(c.taskId.empty());
  CHECK_FALSE(c.occurredAt);
  d.body = R"({"trace_id":")" + std::string(10'000, 'a') + R"("})";
  CHECK(eventContext(d).traceId.size() == 128);
}

TEST_CASE("event context: error codes outside the vocabulary are 'other'") {
  CHECK(errorCodeLabel("SMTP_REJECTED") == "SMTP_REJECTED");
  CHECK(errorCodeLabel("HANDLER_FAILED") == "HANDLER_FAILED");
  CHECK(errorCodeLabel("550 5.1.1 no such user") == "other");
  CHECK(errorCodeLabel("") == "other");
}
