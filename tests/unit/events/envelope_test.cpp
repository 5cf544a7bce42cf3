#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include "events/event_message.hpp"
#include "workstream/events/envelope.hpp"

using namespace workstream::events;

TEST_CASE("envelope: exactly the seed's six fields") {
  const Envelope e{"0af76519-16cd-43dd-8448-eb211c80319c", "workstream.task.created.v1",
                   "2026-11-22T10:00:00.000000Z",          "workstream-tasks",
                   "4bf92f3577b34da6a3ce929d0e0e4736",     R"({"task_id":"x"})"};
  const auto json = boost::json::parse(toJson(e)).as_object();
  CHECK(json.size() == 6);
  CHECK(json.at("event_id") == e.eventId.c_str());
  CHECK(json.at("event_type") == e.eventType.c_str());
  CHECK(json.at("occurred_at") == e.occurredAt.c_str());
  CHECK(json.at("producer") == e.producer.c_str());
  CHECK(json.at("trace_id") == e.traceId.c_str());
  CHECK(json.at("payload").at("task_id") == "x");
}

TEST_CASE("routing keys drop the version so topic bindings match") {
  CHECK(routingKeyOf("workstream.task.created.v1") == "workstream.task.created");
  CHECK(routingKeyOf("workstream.mail.send.v12") == "workstream.mail.send");
  CHECK(routingKeyOf("workstream.task.created") == "workstream.task.created");
  CHECK(routingKeyOf("workstream.task.v") == "workstream.task.v");
}

TEST_CASE("envelope: a key given twice, at any depth, is refused") {
  const std::string id = "0af76519-16cd-43dd-8448-eb211c80319c";
  const std::string base = R"({"event_id":")" + id +
                           R"(","event_type":"workstream.task.created.v1",)"
                           R"("occurred_at":"2026-11-22T10:00:00.000000Z","producer":"p",)"
                           R"("trace_id":"t","payload":{"task_id":"a")";
  const auto parsed = parseEnvelope(base + "}}");
  REQUIRE(parsed.ok());
  CHECK(parsed->eventId == id);
  CHECK(parsed->payloadJson == R"({"task_id":"a"})");
  CHECK(parseEnvelope(base + R"(,"task_id":"b"}})").error().message ==
        "the envelope repeats the key \"task_id\"");
  CHECK(parseEnvelope(base + R"(},"event_id":")" + id + R"("})").error().message ==
        "the envelope repeats the key \"event_id\"");
}

TEST_CASE("envelope: each way to break the contract is named") {
  const std::string id = "0af76519-16cd-43dd-8448-eb211c80319c";
  auto envelope = [&](const std::string& eventId, const std::string& rest) {
    return R"({"event_id":")" + eventId +
           R"(","event_type":"workstream.task.created.v1",)"
           R"("occurred_at":"2026-11-22T10:00:00.000000Z","producer":"p","trace_id":"t")" +
           rest + "}";
  };
  auto error = [](const std::string& json) { return parseEnvelope(json).error().message; };
  CHECK_THAT(error("{"), Catch::StartsWith("the envelope is not JSON: "));
  CHECK(error("[]") == "the envelope is not a JSON object");
  CHECK(error(R"({"event_id":1})") == "envelope field event_id is missing or not a string");
  CHECK(error(envelope(id, "")) == "envelope field payload is missing or not an object");
  CHECK(error(envelope(id, R"(,"payload":[])")) ==
        "envelope field payload is missing or not an object");
  CHECK(error(envelope(id, R"(,"payload":{},"extra":1)")) ==
        "the envelope has fields besides the six of the contract");
  CHECK(error(envelope("not-a-uuid", R"(,"payload":{})")) ==
        "envelope field event_id is not a UUID");
}

TEST_CASE("an event goes to the exchange continuing its request's trace") {
  const auto message =
      eventMessage({"workstream.task.created", "0af76519-16cd-43dd-8448-eb211c80319c",
                    "workstream.task.created.v1", "workstream-tasks", "{}", 1700000000,
                    "4bf92f3577b34da6a3ce929d0e0e4736"});
  CHECK(message.exchange == "workstream.events");
  CHECK(message.routingKey == "workstream.task.created");
  CHECK(message.messageId == "0af76519-16cd-43dd-8448-eb211c80319c");
  CHECK(message.type == "workstream.task.created.v1");
  CHECK(message.appId == "workstream-tasks");
  CHECK(message.body == "{}");
  CHECK(message.timestamp == 1700000000);
  REQUIRE(message.headers.size() == 1);
  CHECK(message.headers[0].first == "traceparent");
  const auto traceparent = std::get<std::string>(message.headers[0].second);
  CHECK_THAT(traceparent, Catch::StartsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-"));
  CHECK(traceparent.size() == 55);

  const auto untraced = eventMessage({"k", "id", "t", "p", "{}", 0, "not-a-trace"});
  CHECK(untraced.headers.empty());
}
