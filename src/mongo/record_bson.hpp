#pragma once

#include <bson/bson.h>

#include <utility>

#include "workstream/notifications/ports.hpp"

namespace workstream::mongo {

// An owned BSON document (a unique_ptr of bson_t trips over its alignment
// attribute).
class BsonPtr {
 public:
  explicit BsonPtr(bson_t* doc = nullptr) : doc_(doc) {}
  BsonPtr(BsonPtr&& other) noexcept : doc_(std::exchange(other.doc_, nullptr)) {}
  BsonPtr& operator=(BsonPtr&&) = delete;
  ~BsonPtr() {
    if (doc_ != nullptr) bson_destroy(doc_);
  }
  bson_t* get() const { return doc_; }
  explicit operator bool() const { return doc_ != nullptr; }

 private:
  bson_t* doc_;
};

// A record as a document: the envelope's fields, task_id, the payload as a
// subdocument, received_at and processed_at as dates (milliseconds).
BsonPtr toBson(const notifications::NotificationRecord& record);
notifications::NotificationRecord fromBson(const bson_t* doc);
// The filter of a debug query, cursor included.
BsonPtr filterFor(const notifications::RecordQuery& query);

}  // namespace workstream::mongo
