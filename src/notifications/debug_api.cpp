#include "notifications/debug_api.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <variant>

#include "workstream/core/cursor.hpp"
#include "workstream/core/errors.hpp"
#include "workstream/core/uuid.hpp"
#include "workstream/http/query.hpp"

namespace workstream::notifications {
namespace {

namespace json = boost::json;
constexpr std::string_view kPrefix = "/debug/notifications";
constexpr long long kLatestCursorMs = 253'402'300'799'999;  // 9999-12-31T23:59:59.999Z

json::object toJson(const NotificationRecord& r) {
  boost::system::error_code ec;
  auto payload = json::parse(r.payloadJson, ec);
  return {{"event_id", r.eventId},
          {"event_type", r.eventType},
          {"occurred_at", r.occurredAt},
          {"producer", r.producer},
          {"trace_id", r.traceId},
          {"task_id", r.taskId},
          {"payload", ec ? json::value(nullptr) : payload},
          {"received_at", formatRfc3339(r.receivedAt)},
          {"processed_at", formatRfc3339(r.processedAt)},
          {"attempt", r.attempt}};
}

http::Response invalid(const std::string& field, const std::string& message) {
  return http::errorResponse(400, "VALIDATION_FAILED", message,
                             json::serialize(json::object{{"field", field}}));
}

// Cursors: "<received_at ms>:<event_id>" (no prefix, as ever), hex-encoded.
std::string encodeCursor(const NotificationRecord& last) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(last.receivedAt.time_since_epoch())
          .count();
  return workstream::encodeCursor("", ms, last.eventId);
}

// A time our encoder could have written, so that it converts to
// microseconds without overflow.
std::optional<std::pair<Timestamp, std::string>> decodeCursor(std::string_view hex) {
  auto decoded = workstream::decodeCursor("", hex, 0, kLatestCursorMs);
  if (!decoded) return std::nullopt;
  return std::make_pair(Timestamp(std::chrono::milliseconds(decoded->first)),
                        std::move(decoded->second));
}

Result<RecordQuery, http::Response> parseQuery(std::string_view text) {
  RecordQuery query;
  auto params = http::parseQuery(text);
  if (!params) return invalid(params.error().field, params.error().message);
  for (const auto& [key, value] : *params) {
    if (key == "event_type") {
      query.eventType = value;
    } else if (key == "task_id") {
      auto id = canonicalUuid(value);
      if (!id) return invalid(key, "task_id must be a UUID");
      query.taskId = *id;
    } else if (key == "since") {
      query.since = parseRfc3339(value);
      if (!query.since) return invalid(key, "since must be an RFC 3339 time");
    } else if (key == "limit") {
      auto limit = http::parseBoundedInt(value, 1, 100);
      if (!limit) return invalid(key, "limit must be a whole number from 1 to 100");
      query.limit = *limit;
    } else if (key == "cursor") {
      query.after = decodeCursor(value);
      if (!query.after) return invalid(key, "the cursor is not valid");
    } else {
      const auto unknown = http::unknownParameter(key);
      return invalid(unknown.field, unknown.message);
    }
  }
  return query;
}

http::Response listRecords(RecordStore& records, const http::Request& request) {
  auto parsed = parseQuery(request.query());
  if (!parsed) return parsed.error();
  auto query = std::move(*parsed);
  const int limit = query.limit;
  query.limit = limit + 1;  // one more tells whether a next page exists
  auto found = records.list(query);
  json::value next = nullptr;
  if (found.size() > static_cast<std::size_t>(limit)) {
    found.resize(limit);
    next = json::value(encodeCursor(found.back()));
  }
  json::array items;
  for (const auto& r : found) items.push_back(toJson(r));
  return http::Response::json(
      200, json::serialize(json::object{{"items", std::move(items)}, {"next_cursor", next}}));
}

}  // namespace

http::Response handleDebug(RecordStore& records, const http::Request& request) {
  const auto path = request.path();
  if (request.method != "GET") {
    auto res = http::errorResponse(405, "METHOD_NOT_ALLOWED", "the debug API is read-only");
    res.headers.emplace_back("Allow", "GET");
    return res;
  }
  try {
    if (path == kPrefix) return listRecords(records, request);
    if (path.size() > kPrefix.size() + 1 &&
        path.substr(0, kPrefix.size() + 1) == std::string(kPrefix) + "/") {
      auto id = canonicalUuid(path.substr(kPrefix.size() + 1));
      if (!id) return invalid("event_id", "event_id must be a UUID");
      auto record = records.find(*id);
      if (!record)
        return http::errorResponse(404, "NOTIFICATION_NOT_FOUND", "no record of event " + *id);
      return http::Response::json(200, json::serialize(toJson(*record)));
    }
  } catch (const Unavailable& e) {
    return http::errorResponse(503, "SERVICE_UNAVAILABLE", e.what());
  }
  return http::errorResponse(404, "NOT_FOUND", "no such endpoint");
}

}  // namespace workstream::notifications
