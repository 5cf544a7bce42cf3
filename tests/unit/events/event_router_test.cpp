// The event router: an envelope reaches the handler of its event type after
// its payload check; whatever cannot be processed is poison with its code.
#include "events/event_router.hpp"

#include <catch2/catch.hpp>

using namespace workstream::events;

namespace {

const std::string kTaskId = "0af76519-16cd-43dd-8448-eb211c80319c";

Delivery deliveryOf(const std::string& type, const std::string& payload) {
  Delivery delivery;
  delivery.body =
      toJson({"7c9e6679-7425-40de-944b-e07fc1f90ae7", type, "2026-11-22T10:00:00.000000Z",
              "workstream-tasks", "4bf92f3577b34da6a3ce929d0e0e4736", payload});
  delivery.routingKey = routingKeyOf(type);
  return delivery;
}

struct Recorder {
  std::vector<std::string> seen;  // "<handler>:<event id>"
  EventHandler handler(std::string name, Outcome answer = Outcome::ok()) {
    return [this, name, answer](const Envelope& envelope, const Delivery&) {
      seen.push_back(name + ":" + envelope.eventId);
      return answer;
    };
  }
};

}  // namespace

TEST_CASE("event router: each event type reaches its own handler, whose outcome is returned") {
  EventRouter router;
  Recorder recorder;
  router.on(kTaskCreated, recorder.handler("created"));
  router.on(kTaskCompleted, recorder.handler("completed", Outcome::retryLater("DOWN", "later")));

  const auto payload = R"({"task_id":")" + kTaskId + R"(","title":"t"})";
  const auto created = router.handle(deliveryOf("workstream.task.created.v1", payload));
  CHECK(created.kind == Outcome::Kind::done);
  const auto completed = router.handle(deliveryOf("workstream.task.completed.v1", payload));
  CHECK(completed.kind == Outcome::Kind::retry);
  CHECK(completed.errorCode == "DOWN");
  CHECK(recorder.seen ==
        std::vector<std::string>{"created:7c9e6679-7425-40de-944b-e07fc1f90ae7",
                                 "completed:7c9e6679-7425-40de-944b-e07fc1f90ae7"});
}

TEST_CASE("event router: an unreadable envelope is poison, no handler runs") {
  EventRouter router;
  Recorder recorder;
  router.on(kTaskCreated, recorder.handler("created"));
  for (const std::string body : {"", "not json", "[]", R"({"event_id":"x"})"}) {
    Delivery delivery;
    delivery.body = body;
    const auto outcome = router.handle(delivery);
    CHECK(outcome.kind == Outcome::Kind::poison);
    CHECK(outcome.errorCode == "INVALID_ENVELOPE");
    CHECK_FALSE(outcome.errorMessage.empty());
  }
  CHECK(recorder.seen.empty());
}

TEST_CASE("event router: an unknown type, or a known one at another version, is poison") {
  EventRouter router;
  Recorder recorder;
  router.on(kTaskCreated, recorder.handler("created"));
  const auto payload = R"({"task_id":")" + kTaskId + R"("})";
  for (const std::string type :
       {"workstream.task.created.v2", "workstream.task.completed.v1", "someone.else.v1"}) {
    const auto outcome = router.handle(deliveryOf(type, payload));
    CHECK(outcome.kind == Outcome::Kind::poison);
    CHECK(outcome.errorCode == "UNKNOWN_EVENT_TYPE");
    CHECK(outcome.errorMessage.find(type) != std::string::npos);
  }
  CHECK(recorder.seen.empty());
}

TEST_CASE("event router: a payload that breaks its contract is poison, saying why") {
  EventRouter router;
  Recorder recorder;
  router.on(kTaskCreated, recorder.handler("created"));
  router.on(kMailSend, recorder.handler("mail"));

  const auto badTask = router.handle(deliveryOf("workstream.task.created.v1", R"({"title":"t"})"));
  CHECK(badTask.kind == Outcome::Kind::poison);
  CHECK(badTask.errorCode == "INVALID_PAYLOAD");
  CHECK(badTask.errorMessage == "task_id must be a UUID");

  const auto badMail =
      router.handle(deliveryOf("workstream.mail.send.v1", R"({"to":[],"subject":"s"})"));
  CHECK(badMail.kind == Outcome::Kind::poison);
  CHECK(badMail.errorCode == "INVALID_PAYLOAD");
  CHECK(recorder.seen.empty());
}

TEST_CASE("event router: a route given again replaces the first") {
  EventRouter router;
  Recorder recorder;
  router.on(kTaskCreated, recorder.handler("first"));
  router.on(kTaskCreated, recorder.handler("second"));
  router.handle(deliveryOf("workstream.task.created.v1", R"({"task_id":")" + kTaskId + R"("})"));
  REQUIRE(recorder.seen.size() == 1);
  CHECK(recorder.seen[0].rfind("second:", 0) == 0);
}

TEST_CASE("event router: a batch goes to its batch handler together, poison is judged alone") {
  EventRouter router;
  std::vector<std::vector<std::string>> calls;  // event ids per call
  router.onBatch(
      {kTaskCreated, kTaskCompleted},
      [&](const std::vector<RoutedEvent>& events) {
        calls.emplace_back();
        std::vector<Outcome> outcomes;
        for (const auto& event : events) {
          calls.back().push_back(event.envelope.eventType);
          outcomes.push_back(event.delivery->attempt == 2 ? Outcome::retryLater("LATER", "2")
                                                          : Outcome::ok());
        }
        return outcomes;
      },
      8);
  CHECK(router.maxBatch() == 8);
  const auto payload = R"({"task_id":")" + kTaskId + R"(","title":"t"})";
  auto created = deliveryOf("workstream.task.created.v1", payload);
  auto completed = deliveryOf("workstream.task.completed.v1", payload);
  completed.attempt = 2;
  Delivery unreadable;
  unreadable.body = "not json";
  const auto unknown = deliveryOf("workstream.task.deleted.v1", payload);
  const auto badPayload = deliveryOf("workstream.task.created.v1", R"({"title":"t"})");
  const auto outcomes =
      router.handleBatch({&unreadable, &created, &unknown, &completed, &badPayload});
  REQUIRE(outcomes.size() == 5);
  CHECK(outcomes[0].errorCode == "INVALID_ENVELOPE");
  CHECK(outcomes[1].kind == Outcome::Kind::done);
  CHECK(outcomes[2].errorCode == "UNKNOWN_EVENT_TYPE");
  CHECK(outcomes[3].errorCode == "LATER");
  CHECK(outcomes[4].errorCode == "INVALID_PAYLOAD");
  CHECK(outcomes[4].kind == Outcome::Kind::poison);
  CHECK(calls == std::vector<std::vector<std::string>>{
                     {"workstream.task.created.v1", "workstream.task.completed.v1"}});
  // One delivery alone goes the same way.
  CHECK(router.handle(completed).errorCode == "LATER");
  CHECK(calls.size() == 2);
}

TEST_CASE("event router: a handler that throws makes a retry of its own events only") {
  EventRouter router;
  Recorder recorder;
  router.on(kTaskCompleted, recorder.handler("completed"));
  router.onBatch(
      {kTaskCreated},
      [](const std::vector<RoutedEvent>&) -> std::vector<Outcome> {
        throw std::runtime_error("boom");
      },
      4);
  const auto payload = R"({"task_id":")" + kTaskId + R"(","title":"t"})";
  const auto created = deliveryOf("workstream.task.created.v1", payload);
  const auto completed = deliveryOf("workstream.task.completed.v1", payload);
  Delivery unreadable;
  const auto outcomes = router.handleBatch({&created, &completed, &unreadable, &created});
  REQUIRE(outcomes.size() == 4);
  CHECK(outcomes[0].kind == Outcome::Kind::retry);
  CHECK(outcomes[0].errorCode == "HANDLER_FAILED");
  CHECK(outcomes[1].kind == Outcome::Kind::done);
  CHECK(outcomes[2].kind == Outcome::Kind::poison);
  CHECK(outcomes[3].errorCode == "HANDLER_FAILED");
  CHECK(recorder.seen.size() == 1);
}
