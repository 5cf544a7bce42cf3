#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include "ops/dlq_render.hpp"

using namespace workstream;
using namespace workstream::ops;

namespace {

DlqMessage deadLetter(std::string body) {
  DlqMessage m;
  m.consumer = events::notificationsQueue();
  m.dlqRoutingKey = "workstream.notifications.dlq";
  m.delivery.body = std::move(body);
  m.delivery.messageId = "e1";
  m.delivery.type = "workstream.task.created.v1";
  m.delivery.timestamp = 1763805600;
  m.delivery.routingKey = "workstream.task.created";
  m.delivery.headers = {{"x-attempts", "1"},
                        {"x-error-code", "INVALID_PAYLOAD"},
                        {"x-error-message", "title is missing\nline two"},
                        {"x-first-failure-at", "2026-11-22T10:00:00.000000Z"},
                        {"x-last-failure-at", "2026-11-22T10:00:01.000000Z"},
                        {"x-consumer", "notifications"}};
  return m;
}

}  // namespace

TEST_CASE("dlq the table shows each field of a message on one line") {
  const auto table = renderTable({deadLetter("{}")});
  CHECK(table.starts_with("QUEUE"));
  const auto row = table.substr(table.find('\n') + 1);
  CHECK(std::count(row.begin(), row.end(), '\n') == 1);
  for (const auto* field :
       {"workstream.notifications.dlq", "e1", "workstream.task.created.v1", "INVALID_PAYLOAD",
        "2026-11-22T10:00:00.000000Z", "2026-11-22T10:00:01.000000Z", "workstream.task.created",
        "title is missing line two"}) {
    INFO(field);
    CHECK(row.find(field) != std::string::npos);
  }
}

TEST_CASE("dlq the JSON is one array with the attempts as a number") {
  const auto parsed = boost::json::parse(renderJson({deadLetter("{}"), deadLetter("{}")}));
  REQUIRE(parsed.as_array().size() == 2);
  const auto& first = parsed.as_array()[0].as_object();
  CHECK(first.at("event_id") == "e1");
  CHECK(first.at("attempts") == 1);
  CHECK(first.at("error_message") == "title is missing\nline two");
  CHECK(first.at("original_routing_key") == "workstream.task.created");
  CHECK(first.at("queue") == "workstream.notifications.dlq");
  CHECK(boost::json::parse(renderJson({})).as_array().empty());
}

TEST_CASE("dlq show prints the properties, the headers and an indented JSON body") {
  const auto whole = renderWhole(deadLetter(R"({"a":{"b":[1,2]},"c":"d"})"));
  CHECK(whole.find("message_id: e1") != std::string::npos);
  CHECK(whole.find("type: workstream.task.created.v1") != std::string::npos);
  CHECK(whole.find("x-error-code: INVALID_PAYLOAD") != std::string::npos);
  CHECK(whole.find("2025-11-22T10:00:00.000000Z") != std::string::npos);
  CHECK(
      whole.ends_with("body:\n{\n  \"a\": {\n    \"b\": [\n      1,\n      2\n    ]\n  },\n"
                      "  \"c\": \"d\"\n}\n"));
}

TEST_CASE("dlq a body that is not JSON is shown as it is") {
  CHECK(prettyJson("not { json") == "not { json");
  CHECK(prettyJson("{}") == "{}");
  CHECK(renderWhole(deadLetter("plain text")).ends_with("body:\nplain text\n"));
}
