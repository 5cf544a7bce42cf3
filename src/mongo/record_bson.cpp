#include "mongo/record_bson.hpp"

#include "workstream/core/errors.hpp"

namespace workstream::mongo {
namespace {

int64_t millis(Timestamp t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

Timestamp fromMillis(int64_t ms) { return Timestamp(std::chrono::milliseconds(ms)); }

std::string text(const bson_t* doc, const char* key) {
  bson_iter_t it;
  if (!bson_iter_init_find(&it, doc, key) || !BSON_ITER_HOLDS_UTF8(&it)) return {};
  uint32_t length = 0;
  const char* value = bson_iter_utf8(&it, &length);
  return {value, length};
}

int64_t date(const bson_t* doc, const char* key) {
  bson_iter_t it;
  return bson_iter_init_find(&it, doc, key) && BSON_ITER_HOLDS_DATE_TIME(&it)
             ? bson_iter_date_time(&it)
             : 0;
}

void appendText(bson_t* doc, const char* key, const std::string& value) {
  bson_append_utf8(doc, key, -1, value.data(), static_cast<int>(value.size()));
}

}  // namespace

BsonPtr toBson(const notifications::NotificationRecord& r) {
  bson_error_t error;
  BsonPtr payload(bson_new_from_json(reinterpret_cast<const uint8_t*>(r.payloadJson.data()),
                                     static_cast<ssize_t>(r.payloadJson.size()), &error));
  if (!payload)
    throw InfrastructureError(std::string("payload is not a document: ") + error.message);
  BsonPtr doc(bson_new());
  appendText(doc.get(), "event_id", r.eventId);
  appendText(doc.get(), "event_type", r.eventType);
  appendText(doc.get(), "occurred_at", r.occurredAt);
  appendText(doc.get(), "producer", r.producer);
  appendText(doc.get(), "trace_id", r.traceId);
  appendText(doc.get(), "task_id", r.taskId);
  bson_append_document(doc.get(), "payload", -1, payload.get());
  bson_append_date_time(doc.get(), "received_at", -1, millis(r.receivedAt));
  bson_append_date_time(doc.get(), "processed_at", -1, millis(r.processedAt));
  bson_append_int32(doc.get(), "attempt", -1, r.attempt);
  if (!r.mailRequestId.empty()) appendText(doc.get(), "mail_request_event_id", r.mailRequestId);
  return doc;
}

notifications::NotificationRecord fromBson(const bson_t* doc) {
  notifications::NotificationRecord r;
  r.eventId = text(doc, "event_id");
  r.eventType = text(doc, "event_type");
  r.occurredAt = text(doc, "occurred_at");
  r.producer = text(doc, "producer");
  r.traceId = text(doc, "trace_id");
  r.taskId = text(doc, "task_id");
  r.receivedAt = fromMillis(date(doc, "received_at"));
  r.processedAt = fromMillis(date(doc, "processed_at"));
  r.mailRequestId = text(doc, "mail_request_event_id");
  bson_iter_t it;
  if (bson_iter_init_find(&it, doc, "attempt") && BSON_ITER_HOLDS_INT32(&it)) {
    r.attempt = bson_iter_int32(&it);
  }
  bson_t payload;
  uint32_t length = 0;
  const uint8_t* data = nullptr;
  if (bson_iter_init_find(&it, doc, "payload") && BSON_ITER_HOLDS_DOCUMENT(&it)) {
    bson_iter_document(&it, &length, &data);
    if (bson_init_static(&payload, data, length)) {
      char* json = bson_as_relaxed_extended_json(&payload, nullptr);
      r.payloadJson = json;
      bson_free(json);
    }
  }
  return r;
}

BsonPtr filterFor(const notifications::RecordQuery& q) {
  BsonPtr filter(bson_new());
  if (q.eventType) appendText(filter.get(), "event_type", *q.eventType);
  if (q.taskId) appendText(filter.get(), "task_id", *q.taskId);
  if (q.since) {
    bson_t range;
    bson_append_document_begin(filter.get(), "received_at", -1, &range);
    bson_append_date_time(&range, "$gte", -1, millis(*q.since));
    bson_append_document_end(filter.get(), &range);
  }
  if (q.after) {
    // Strictly after the cursor in newest-first order.
    const int64_t at = millis(q.after->first);
    BsonPtr older(BCON_NEW("$or", "[", "{", "received_at", "{", "$lt", BCON_DATE_TIME(at), "}", "}",
                           "{", "received_at", BCON_DATE_TIME(at), "event_id", "{", "$lt",
                           BCON_UTF8(q.after->second.c_str()), "}", "}", "]"));
    bson_concat(filter.get(), older.get());
  }
  return filter;
}

}  // namespace workstream::mongo
