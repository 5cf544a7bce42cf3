// Page tokens and cursors: the tasks list's page_token, and the debug API's
// query string (cursor, limit, since, task_id, event_type). A token that
// decodes must survive encoding and decoding again; a next_cursor the debug
// API hands out must be accepted back.
//
// Input: the page token, and the debug API's query when it holds '=',
// otherwise "cursor=" and the input.

#include <boost/json/parse.hpp>
#include <cstdint>
#include <string>

#include "fuzz/support.hpp"
#include "notifications/debug_api.hpp"
#include "tasks/page_token.hpp"

namespace {

using namespace workstream;
using workstream::fuzz::check;

constexpr Timestamp kNow(std::chrono::microseconds(1'700'000'000'000'000));

// Always one record more than asked for, just before the cursor (and after
// 1970, as records are), so every page has a next one.
class EndlessRecords final : public notifications::RecordStore {
 public:
  bool insert(const notifications::NotificationRecord&) override { return true; }
  std::optional<notifications::NotificationRecord> find(const std::string&) override {
    return std::nullopt;
  }
  std::vector<notifications::NotificationRecord> list(
      const notifications::RecordQuery& query) override {
    check(query.limit >= 2 && query.limit <= 101, "the debug API asked for a page out of range");
    notifications::NotificationRecord record;
    record.eventId = "0b7e6a52-7c1e-4d0a-8f4b-2e6c1a9d7e30";
    record.payloadJson = "{}";
    const auto newest = query.after ? std::min(query.after->first, kNow) : kNow;
    if (newest < Timestamp() + std::chrono::milliseconds(1)) return {};  // none before 1970
    record.receivedAt = newest - std::chrono::milliseconds(1);
    record.processedAt = record.receivedAt;
    return std::vector(static_cast<std::size_t>(query.limit), record);
  }
};

void checkPageToken(std::string_view token) {
  const auto cursor = tasks::decodePageToken(token);
  if (!cursor) return;
  const auto again = tasks::decodePageToken(tasks::encodePageToken(*cursor));
  check(again && again->createdAt == cursor->createdAt && again->id == cursor->id,
        "a page token did not survive encoding");
}

http::Response debugList(const std::string& query) {
  static EndlessRecords records;
  http::Request request;
  request.method = "GET";
  request.target = "/debug/notifications?" + query;
  return notifications::handleDebug(records, request);
}

void checkDebugCursor(std::string_view input) {
  const std::string query = input.find('=') != std::string_view::npos
                                ? std::string(input)
                                : "cursor=" + std::string(input);
  const auto response = debugList(query);
  check(response.status == 200 || response.status == 400, "the debug API answered oddly");
  if (response.status != 200) return;
  const auto body = boost::json::parse(response.body).as_object();
  const auto& next = body.at("next_cursor");
  if (next.is_null()) return;  // nothing older
  const auto again = debugList("cursor=" + std::string(next.as_string()));
  check(again.status == 200, "the debug API refused its own next_cursor");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  checkPageToken(input);
  checkDebugCursor(input);
  return 0;
}
