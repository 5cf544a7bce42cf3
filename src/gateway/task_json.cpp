#include "gateway/task_json.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "workstream/core/json_keys.hpp"

namespace workstream::gateway {
namespace {

namespace json = boost::json;

json::value optionalString(const std::optional<std::string>& value) {
  return value ? json::value(*value) : json::value(nullptr);
}

json::object taskObject(const tasks::Task& task) {
  return {
      {"id", task.id},
      {"title", task.title},
      {"description", optionalString(task.description)},
      {"assignee_email", optionalString(task.assigneeEmail)},
      {"status", tasks::toString(task.status)},
      {"created_at", formatRfc3339(task.createdAt)},
      {"updated_at", formatRfc3339(task.updatedAt)},
      {"completed_at",
       task.completedAt ? json::value(formatRfc3339(*task.completedAt)) : json::value(nullptr)},
  };
}

BodyError invalid(std::string field, std::string message) {
  return {"VALIDATION_FAILED", std::move(message), std::move(field)};
}

Result<json::object, BodyError> parseObject(std::string_view body) {
  boost::system::error_code ec;
  json::value value = json::parse(body, ec);
  if (ec) return BodyError{"INVALID_JSON", "the body is not valid JSON: " + ec.message(), ""};
  if (auto key = duplicateJsonKey(body)) {
    return BodyError{"INVALID_JSON", "the body repeats the key \"" + *key + "\"", *key};
  }
  if (!value.is_object()) return invalid("body", "the body must be a JSON object");
  return std::move(value.as_object());
}

}  // namespace

std::string taskJson(const tasks::Task& task) { return json::serialize(taskObject(task)); }

std::string pageJson(const tasks::TaskPage& page) {
  json::array items;
  items.reserve(page.tasks.size());
  for (const auto& task : page.tasks) items.push_back(taskObject(task));
  return json::serialize(json::object{
      {"items", std::move(items)},
      {"next_page_token",
       page.nextPageToken.empty() ? json::value(nullptr) : json::value(page.nextPageToken)},
  });
}

Result<tasks::NewTask, BodyError> parseCreateBody(std::string_view body) {
  auto parsed = parseObject(body);
  if (!parsed) return parsed.error();
  tasks::NewTask task;
  bool hasTitle = false;
  for (const auto& [key, value] : *parsed) {
    if (key == "title") {
      if (!value.is_string()) return invalid("title", "title must be a string");
      task.title = value.as_string();
      hasTitle = true;
    } else if (key == "description" || key == "assignee_email") {
      auto& target = key == "description" ? task.description : task.assigneeEmail;
      if (value.is_null()) continue;
      if (!value.is_string()) {
        return invalid(std::string(key), std::string(key) + " must be a string or null");
      }
      target = std::string(value.as_string());
    } else {
      return invalid(std::string(key), "unknown field \"" + std::string(key) + "\"");
    }
  }
  if (!hasTitle) return invalid("title", "title is required");
  return task;
}

std::optional<BodyError> checkEmptyBody(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return std::nullopt;
  auto parsed = parseObject(body);
  if (!parsed) return parsed.error();
  if (!parsed->empty()) {
    const std::string key(parsed->begin()->key());
    return invalid(key, "unknown field \"" + key + "\"");
  }
  return std::nullopt;
}

}  // namespace workstream::gateway
