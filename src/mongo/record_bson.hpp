#pragma once

#include <bson/bson.h>

#include <memory>

#include "workstream/notifications/ports.hpp"

namespace workstream::mongo {

using BsonPtr = std::unique_ptr<bson_t, decltype(&bson_destroy)>;

// A record as a document: the envelope's fields, task_id, the payload as a
// subdocument, received_at and processed_at as dates (milliseconds).
BsonPtr toBson(const notifications::NotificationRecord& record);
notifications::NotificationRecord fromBson(const bson_t* doc);
// The filter of a debug query, cursor included.
BsonPtr filterFor(const notifications::RecordQuery& query);

}  // namespace workstream::mongo
