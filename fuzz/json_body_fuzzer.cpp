// JSON body decoding: a POST /api/v1/tasks body through the gateway's
// decoding, the tasks service's validation and back out as the task's JSON,
// and a POST .../complete body through the empty-body check. A body that is
// accepted must come back with the same title, description and assignee.

#include <boost/json/parse.hpp>
#include <cstdint>
#include <string>

#include "fuzz/support.hpp"
#include "gateway/task_json.hpp"
#include "tasks/validation.hpp"

namespace {

using namespace workstream;
using workstream::fuzz::check;

std::optional<std::string> stringOrNull(const boost::json::value& value) {
  if (value.is_null()) return std::nullopt;
  return std::string(value.as_string());
}

void roundTrip(tasks::NewTask request) {
  const auto in = tasks::validateNewTask(std::move(request));
  if (!in) return;  // refused: nothing to send back
  tasks::Task task;
  task.id = "0b7e6a52-7c1e-4d0a-8f4b-2e6c1a9d7e30";
  task.title = in->title;
  task.description = in->description;
  task.assigneeEmail = in->assigneeEmail;
  boost::system::error_code ec;
  const auto json = boost::json::parse(gateway::taskJson(task), ec);
  check(!ec && json.is_object(), "taskJson wrote no JSON object");
  const auto& object = json.as_object();
  check(object.at("title").as_string() == task.title, "the title changed on its way out");
  check(stringOrNull(object.at("description")) == task.description, "the description changed");
  check(stringOrNull(object.at("assignee_email")) == task.assigneeEmail, "the assignee changed");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto parsed = gateway::parseCreateBody(body);
  if (parsed) {
    roundTrip(*parsed);
  } else {
    const auto& error = parsed.error();
    check(error.code == "INVALID_JSON" || error.code == "VALIDATION_FAILED", "unknown error code");
    check(!error.message.empty(), "an error without a message");
  }
  if (auto error = gateway::checkEmptyBody(body)) {
    check(error->code == "INVALID_JSON" || error->code == "VALIDATION_FAILED",
          "unknown error code");
  }
  return 0;
}
