#pragma once

#include <chrono>
#include <string>

#include "workstream/core/readiness.hpp"
#include "workstream/notifications/ports.hpp"

struct _bson_t;
struct _mongoc_client_pool_t;
struct _mongoc_uri_t;

namespace workstream::mongo {

// RecordStore on MongoDB (or FerretDB): the `notifications` collection of the
// URL's database, through a libmongoc client pool (thread-safe), with
// server-selection, connect and socket timeouts. ensureIndexes() creates,
// idempotently, the unique index on event_id and the indexes the debug
// queries use. initialiseLibrary() must have run.
class MongoRecordStore final : public notifications::RecordStore {
 public:
  MongoRecordStore(const std::string& url, std::chrono::milliseconds timeout);
  ~MongoRecordStore() override;
  MongoRecordStore(const MongoRecordStore&) = delete;
  MongoRecordStore& operator=(const MongoRecordStore&) = delete;

  void ensureIndexes();
  bool insert(const notifications::NotificationRecord& record) override;
  // One unordered insertMany: a duplicate key only marks its own record.
  std::vector<bool> insertAll(
      const std::vector<notifications::NotificationRecord>& records) override;
  std::optional<notifications::NotificationRecord> find(const std::string& eventId) override;
  std::vector<notifications::NotificationRecord> list(
      const notifications::RecordQuery& query) override;
  CheckResult check();

 private:
  class Client;
  std::vector<notifications::NotificationRecord> runQuery(const _bson_t* filter, int limit);
  _mongoc_uri_t* uri_ = nullptr;
  _mongoc_client_pool_t* pool_ = nullptr;
  std::string database_;
};

// libmongoc's global set-up and its undoing, once each per process: the
// first before any thread starts, the second after every store is gone.
void initialiseLibrary();
void shutDownLibrary();

}  // namespace workstream::mongo
