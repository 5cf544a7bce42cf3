// The REST API as a function from request to response, over the in-process
// tasks client and an in-memory store: routing, checks and the translation
// of the tasks service's answers, without sockets or servers.
#include "gateway/rest_api.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <future>
#include <optional>

#include "fakes/memory_task_store.hpp"
#include "fakes/quiet_logger.hpp"
#include "gateway/local_tasks_client.hpp"
#include "workstream/core/errors.hpp"

using namespace workstream;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

struct Fixture {
  fakes::MemoryTaskStore store;
  tasks::TaskService service{store, systemNow};
  Logger log = fakes::quietLogger("workstream-gateway");
  Metrics metrics;
  gateway::LocalTasksClient client{service, log, {2, 16, 5s}};
  gateway::RestApi api{client, log, metrics};

  http::Response call(std::string method, std::string target, std::string body = {},
                      http::Headers headers = {{"Content-Type", "application/json"}}) {
    auto answer = std::make_shared<std::promise<http::Response>>();
    auto future = answer->get_future();
    api.handle({std::move(method), std::move(target), std::move(headers), std::move(body)},
               [answer](http::Response response) { answer->set_value(std::move(response)); });
    REQUIRE(future.wait_for(10s) == std::future_status::ready);
    return future.get();
  }
};

std::string header(const http::Response& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return {};
}

json::object bodyOf(const http::Response& response) {
  return json::parse(response.body).as_object();
}

std::string errorCode(const http::Response& response) {
  return std::string(bodyOf(response).at("error").at("code").as_string());
}

}  // namespace

TEST_CASE("REST API: create, get, list and complete, as plain requests") {
  Fixture f;
  auto created = f.call("POST", "/api/v1/tasks", R"({"title":"Ship","assignee_email":"a@b.io"})");
  REQUIRE(created.status == 201);
  const auto task = bodyOf(created);
  const std::string id(task.at("id").as_string());
  CHECK(task.at("status") == "open");
  CHECK_FALSE(header(created, "X-Request-Id").empty());
  CHECK(header(created, "traceparent").starts_with("00-"));

  auto got = f.call("GET", "/api/v1/tasks/" + id);
  CHECK(got.status == 200);
  CHECK(bodyOf(got).at("title") == "Ship");

  auto listed = f.call("GET", "/api/v1/tasks?limit=5&status=open");
  REQUIRE(listed.status == 200);
  CHECK(bodyOf(listed).at("items").as_array().size() == 1);

  auto done = f.call("POST", "/api/v1/tasks/" + id + "/complete");
  CHECK(done.status == 200);
  CHECK(bodyOf(done).at("status") == "completed");
  auto again = f.call("POST", "/api/v1/tasks/" + id + "/complete");
  CHECK(again.status == 409);
  CHECK(errorCode(again) == "TASK_ALREADY_COMPLETED");
  CHECK(f.store.outbox().size() == 2);  // created, completed; the refused one wrote nothing
}

TEST_CASE("REST API: bad requests are refused before the tasks service is called") {
  Fixture f;
  const int before = f.store.calls();
  CHECK(f.call("POST", "/api/v1/tasks", "{").status == 400);
  CHECK(f.call("POST", "/api/v1/tasks", "{}", {{"Content-Type", "text/xml"}}).status == 415);
  CHECK(f.call("GET", "/api/v1/tasks?limit=0").status == 400);
  CHECK(f.call("GET", "/api/v1/tasks?limit=1&limit=2").status == 400);
  CHECK(f.call("GET", "/api/v1/tasks?colour=red").status == 400);
  CHECK(f.call("GET", "/api/v1/tasks/not-a-uuid").status == 400);
  CHECK(f.call("DELETE", "/api/v1/tasks").status == 405);
  CHECK(f.call("GET", "/api/v2/tasks").status == 404);
  CHECK(f.store.calls() == before);
}

TEST_CASE("REST API: the service's answers become their statuses") {
  Fixture f;
  CHECK(f.call("GET", "/api/v1/tasks/0af76519-16cd-43dd-8448-eb211c80319c").status == 404);
  auto invalid = f.call("POST", "/api/v1/tasks", R"({"title":"   "})");
  CHECK(invalid.status == 400);
  CHECK(errorCode(invalid) == "VALIDATION_FAILED");

  f.store.beforeEach = [] { throw Unavailable("Postgres: connection refused"); };
  auto down = f.call("POST", "/api/v1/tasks", R"({"title":"x"})");
  CHECK(down.status == 503);
  CHECK(f.call("GET", "/api/v1/tasks").status == 503);
}

TEST_CASE("REST API: an Idempotency-Key replays the first answer") {
  Fixture f;
  const http::Headers keyed{{"Content-Type", "application/json"}, {"Idempotency-Key", "k-1"}};
  auto first = f.call("POST", "/api/v1/tasks", R"({"title":"once"})", keyed);
  auto second = f.call("POST", "/api/v1/tasks", R"({"title":"once"})", keyed);
  REQUIRE(first.status == 201);
  CHECK(second.status == 201);
  CHECK(header(first, "Idempotent-Replayed").empty());
  CHECK(header(second, "Idempotent-Replayed") == "true");
  CHECK(bodyOf(first).at("id") == bodyOf(second).at("id"));
  auto reused = f.call("POST", "/api/v1/tasks", R"({"title":"other"})", keyed);
  CHECK(reused.status == 422);
  CHECK(errorCode(reused) == "IDEMPOTENCY_KEY_REUSED");
  CHECK(f.store.outbox().size() == 1);
}
