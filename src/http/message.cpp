#include "workstream/http/message.hpp"

#include <strings.h>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace workstream::http {

std::string_view Request::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() && strncasecmp(key.data(), name.data(), name.size()) == 0) {
      return value;
    }
  }
  return {};
}

std::string_view Request::path() const {
  std::string_view t(target);
  return t.substr(0, t.find('?'));
}

std::string_view Request::query() const {
  std::string_view t(target);
  const auto mark = t.find('?');
  return mark == std::string_view::npos ? t.substr(t.size()) : t.substr(mark + 1);
}

Response Response::json(int status, std::string body) {
  return {status, {{"Content-Type", "application/json"}}, std::move(body)};
}

Response Response::text(int status, std::string body, std::string contentType) {
  return {status, {{"Content-Type", std::move(contentType)}}, std::move(body)};
}

Response errorResponse(int status, std::string_view code, std::string_view message,
                       std::string_view detailsJson, std::string_view requestId) {
  boost::json::object error{{"code", code}, {"message", message}};
  error["details"] = detailsJson.empty() ? boost::json::object() : boost::json::parse(detailsJson);
  if (!requestId.empty()) error["request_id"] = requestId;
  return Response::json(status, boost::json::serialize(boost::json::object{{"error", error}}));
}

Handler syncHandler(std::function<Response(const Request&)> handle) {
  return
      [handle = std::move(handle)](Request request, Respond respond) { respond(handle(request)); };
}

}  // namespace workstream::http
