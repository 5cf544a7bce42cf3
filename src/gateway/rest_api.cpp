#include "gateway/rest_api.hpp"

#include <strings.h>
#include <algorithm>
#include <array>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <cctype>
#include <chrono>

#include <fmt/format.h>

#include "gateway/task_json.hpp"
#include "tasks/validation.hpp"
#include "workstream/core/trace.hpp"
#include "workstream/core/uuid.hpp"
#include "workstream/http/query.hpp"

namespace workstream::gateway {
namespace {

constexpr std::string_view kTasks = "/api/v1/tasks";
constexpr std::size_t kMaxRequestIdLength = 128;
// What a request's series are keyed by: its route, its method (the last
// index being every other method) and its status.
constexpr std::array<std::string_view, 4> kRoutes{"/api/v1/tasks", "/api/v1/tasks/{id}",
                                                  "/api/v1/tasks/{id}/complete", "other"};
constexpr std::array<std::string_view, 2> kMethods{"GET", "POST"};
constexpr std::size_t kMethodSlots = kMethods.size() + 1;
constexpr int kFirstStatus = 100;
constexpr std::size_t kStatuses = 500;

// The index of `value` in `names`, or names.size() when it is not there.
template <std::size_t N>
std::size_t indexOf(const std::array<std::string_view, N>& names, std::string_view value) {
  return static_cast<std::size_t>(std::find(names.begin(), names.end(), value) - names.begin());
}

bool validRequestId(std::string_view id) {
  if (id.empty() || id.size() > kMaxRequestIdLength) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
           c == ':';
  });
}

bool isJson(std::string_view contentType) {
  const auto media = contentType.substr(0, contentType.find(';'));
  auto end = media.find_last_not_of(' ');
  const auto trimmed = media.substr(0, end == std::string_view::npos ? 0 : end + 1);
  return trimmed.size() == 16 && strncasecmp(trimmed.data(), "application/json", 16) == 0;
}

std::string fieldDetails(const std::string& field) {
  return field.empty() ? std::string()
                       : boost::json::serialize(boost::json::object{{"field", field}});
}

// The REST name of a field the tasks service named.
std::string restField(const std::string& field) {
  if (field == "page_size") return "limit";
  if (field == "idempotency_key") return "Idempotency-Key";
  return field;
}

}  // namespace

// One request on its way through the API.
struct RestApi::Exchange {
  http::Request request;
  http::Respond respond;
  std::string requestId;
  TraceParent trace;  // this request's span
  std::string route;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  RestApi* api = nullptr;

  CallMeta meta() const { return {requestId, formatTraceparent(childOf(trace))}; }

  void reply(http::Response response) {
    response.headers.emplace_back("X-Request-Id", requestId);
    response.headers.emplace_back("traceparent", formatTraceparent(trace));
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    api->count(route, request.method, response.status, seconds);
    const auto level = response.status >= 500   ? LogLevel::error
                       : response.status >= 400 ? LogLevel::info
                                                : LogLevel::debug;
    if (api->log_.enabled(level)) {
      api->log_.log(level, "request",
                    {{"method", request.method},
                     {"route", route},
                     {"path", request.path()},
                     {"status", std::to_string(response.status)},
                     {"duration_ms", fmt::format("{:.3f}", seconds * 1000)},
                     {"request_id", requestId},
                     {"trace_id", trace.traceId}});
    }
    respond(std::move(response));
    api->answered();
  }

  void fail(int status, std::string_view code, std::string_view message,
            const std::string& field = {}) {
    reply(http::errorResponse(status, code, message, fieldDetails(field), requestId));
  }

  void fail(const CallError& error) {
    using Kind = CallError::Kind;
    switch (error.kind) {
      case Kind::invalidArgument:
        return fail(400, error.code.empty() ? "VALIDATION_FAILED" : error.code, error.message,
                    restField(error.field));
      case Kind::notFound:
        return fail(404, "TASK_NOT_FOUND", error.message);
      case Kind::failedPrecondition:
        return fail(error.code == "IDEMPOTENCY_KEY_REUSED" ? 422 : 409,
                    error.code.empty() ? "CONFLICT" : error.code, error.message,
                    restField(error.field));
      case Kind::timedOut:
        return fail(504, "UPSTREAM_TIMEOUT", "the tasks service did not answer in time");
      case Kind::unavailable: {
        auto response = http::errorResponse(503, "SERVICE_UNAVAILABLE",
                                            "the tasks service is unavailable", {}, requestId);
        response.headers.emplace_back("Retry-After", "1");
        return reply(std::move(response));
      }
      case Kind::internal:
        break;
    }
    fail(500, "INTERNAL", "internal error");
  }
};

RestApi::RestApi(TasksClient& tasks, Logger log, Metrics& metrics)
    : tasks_(tasks),
      log_(std::move(log)),
      metrics_(metrics),
      series_(kRoutes.size() * kMethodSlots * kStatuses, [this](std::size_t key) {
        const auto status = static_cast<int>(key % kStatuses) + kFirstStatus;
        return resolve(kRoutes[key / kStatuses / kMethodSlots], key / kStatuses % kMethodSlots,
                       status);
      }) {}

void RestApi::count(const std::string& route, const std::string& method, int status,
                    double seconds) {
  const auto routeAt = indexOf(kRoutes, route);
  const auto methodAt = indexOf(kMethods, method);
  const bool tabled = routeAt < kRoutes.size() && status >= kFirstStatus &&
                      status < kFirstStatus + static_cast<int>(kStatuses);
  // Outside the table only for a route or status this API does not have.
  const Series series = tabled ? series_.at((routeAt * kMethodSlots + methodAt) * kStatuses +
                                            static_cast<std::size_t>(status - kFirstStatus))
                               : resolve(route, methodAt, status);
  series.requests->inc();
  series.duration->observe(seconds);
}

RestApi::Series RestApi::resolve(std::string_view route, std::size_t methodAt, int status) {
  // Labels stay few: clients choose the method, so unknown ones are "other".
  const std::string method(methodAt < kMethods.size() ? kMethods[methodAt] : "other");
  const std::string routeLabel = "route=\"" + std::string(route) + "\"";
  return {
      &metrics_.counter(
          "workstream_http_requests_total", "REST requests answered, by route, method and status",
          routeLabel + ",method=\"" + method + "\",status=\"" + std::to_string(status) + "\""),
      &metrics_.histogram(
          "workstream_http_request_duration_seconds",
          "REST request duration from the request read to the response handed back, by route "
          "and status class",
          latencyBuckets(), routeLabel + ",status=\"" + statusClass(status) + "\"")};
}

bool RestApi::waitAnswered(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(outstandingMutex_);
  return answered_.wait_until(lock, deadline, [this] { return outstanding_ == 0; });
}

void RestApi::answered() {
  std::lock_guard lock(outstandingMutex_);
  if (--outstanding_ == 0) answered_.notify_all();
}

void RestApi::handle(http::Request request, http::Respond respond) {
  {
    std::lock_guard lock(outstandingMutex_);
    ++outstanding_;
  }
  auto exchange = std::make_shared<Exchange>();
  exchange->api = this;
  exchange->respond = std::move(respond);
  const std::string incomingId(request.header("X-Request-Id"));
  const bool badId = !incomingId.empty() && !validRequestId(incomingId);
  exchange->requestId = incomingId.empty() || badId ? newUuid() : incomingId;
  auto parent = parseTraceparent(request.header("traceparent"));
  exchange->trace = parent ? childOf(*parent) : newTraceParent();
  exchange->request = std::move(request);
  exchange->route = "other";
  if (badId) {
    return exchange->fail(400, "VALIDATION_FAILED",
                          "X-Request-Id must be 1-128 letters, digits, '-', '_', '.' or ':'",
                          "X-Request-Id");
  }
  route(exchange);
}

void RestApi::route(const std::shared_ptr<Exchange>& exchange) {
  const std::string_view path = exchange->request.path();
  const std::string& method = exchange->request.method;
  auto notAllowed = [&](const char* allow) {
    auto response = http::errorResponse(405, "METHOD_NOT_ALLOWED",
                                        "use " + std::string(allow) + " on " + std::string(path),
                                        {}, exchange->requestId);
    response.headers.emplace_back("Allow", allow);
    exchange->reply(std::move(response));
  };

  if (path == kTasks) {
    exchange->route = "/api/v1/tasks";
    if (method == "POST") return create(exchange);
    if (method == "GET") return list(exchange);
    return notAllowed("GET, POST");
  }
  if (!path.starts_with(std::string(kTasks) + "/")) {
    return exchange->fail(404, "NOT_FOUND", "no such endpoint");
  }
  std::string_view rest = path.substr(kTasks.size() + 1);
  const auto slash = rest.find('/');
  const std::string_view id = rest.substr(0, slash);
  const std::string_view tail = slash == std::string_view::npos ? "" : rest.substr(slash);
  if (id.empty() || (!tail.empty() && tail != "/complete")) {
    return exchange->fail(404, "NOT_FOUND", "no such endpoint");
  }
  const bool completing = tail == "/complete";
  exchange->route = completing ? "/api/v1/tasks/{id}/complete" : "/api/v1/tasks/{id}";
  if (completing && method != "POST") return notAllowed("POST");
  if (!completing && method != "GET") return notAllowed("GET");
  auto canonical = canonicalUuid(id);
  if (!canonical) return exchange->fail(400, "VALIDATION_FAILED", "id must be a UUID", "id");
  return completing ? complete(exchange, *canonical) : get(exchange, *canonical);
}

void RestApi::create(const std::shared_ptr<Exchange>& exchange) {
  const auto& request = exchange->request;
  if (!isJson(request.header("Content-Type"))) {
    return exchange->fail(415, "UNSUPPORTED_MEDIA_TYPE", "send the body as application/json");
  }
  auto task = parseCreateBody(request.body);
  if (!task)
    return exchange->fail(400, task.error().code, task.error().message, task.error().field);
  const auto key = request.header("Idempotency-Key");
  // Protobuf refuses a string that is not UTF-8 (a 500, and an error on stderr).
  if (!tasks::isValidUtf8(key)) {
    return exchange->fail(400, "VALIDATION_FAILED", "Idempotency-Key must be valid UTF-8",
                          "Idempotency-Key");
  }
  if (!key.empty()) task->idempotencyKey = std::string(key);
  tasks_.create(*task, exchange->meta(), [exchange](Result<CreatedTask, CallError> result) {
    if (!result) return exchange->fail(result.error());
    auto response = http::Response::json(201, taskJson(result->task));
    response.headers.emplace_back("Location", std::string(kTasks) + "/" + result->task.id);
    if (result->replayed) response.headers.emplace_back("Idempotent-Replayed", "true");
    exchange->reply(std::move(response));
  });
}

void RestApi::list(const std::shared_ptr<Exchange>& exchange) {
  auto params = http::parseQuery(exchange->request.query());
  if (!params) {
    return exchange->fail(400, "VALIDATION_FAILED", params.error().message, params.error().field);
  }
  tasks::ListQuery listQuery;
  for (const auto& [key, value] : *params) {
    if (key == "status") {
      auto status = tasks::taskStatusFromString(value);
      if (!status)
        return exchange->fail(400, "VALIDATION_FAILED", "status must be open or completed",
                              "status");
      listQuery.status = status;
    } else if (key == "limit") {
      auto limit = http::parseBoundedInt(value, 1, 100);
      if (!limit) {
        return exchange->fail(400, "VALIDATION_FAILED",
                              "limit must be a whole number from 1 to 100", "limit");
      }
      listQuery.pageSize = *limit;
    } else if (key == "page_token") {
      if (!tasks::isValidUtf8(value)) {  // protobuf would refuse it
        return exchange->fail(400, "INVALID_PAGE_TOKEN", "the page token is not valid",
                              "page_token");
      }
      listQuery.pageToken = value;
    } else {
      const auto unknown = http::unknownParameter(key);
      return exchange->fail(400, "VALIDATION_FAILED", unknown.message, unknown.field);
    }
  }
  tasks_.list(listQuery, exchange->meta(), [exchange](Result<tasks::TaskPage, CallError> result) {
    if (!result) return exchange->fail(result.error());
    exchange->reply(http::Response::json(200, pageJson(*result)));
  });
}

void RestApi::get(const std::shared_ptr<Exchange>& exchange, const std::string& id) {
  tasks_.get(id, exchange->meta(), [exchange](Result<tasks::Task, CallError> result) {
    if (!result) return exchange->fail(result.error());
    exchange->reply(http::Response::json(200, taskJson(*result)));
  });
}

void RestApi::complete(const std::shared_ptr<Exchange>& exchange, const std::string& id) {
  const auto& request = exchange->request;
  const bool hasBody = request.body.find_first_not_of(" \t\r\n") != std::string::npos;
  if (hasBody && !isJson(request.header("Content-Type"))) {
    return exchange->fail(415, "UNSUPPORTED_MEDIA_TYPE", "send the body as application/json");
  }
  if (auto error = checkEmptyBody(request.body)) {
    return exchange->fail(400, error->code, error->message, error->field);
  }
  tasks_.complete(id, exchange->meta(), [exchange](Result<tasks::Task, CallError> result) {
    if (!result) return exchange->fail(result.error());
    exchange->reply(http::Response::json(200, taskJson(*result)));
  });
}

}  // namespace workstream::gateway
